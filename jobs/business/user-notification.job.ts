import { z } from 'zod';
import { defineJob, type JobContext } from '../../src/domain/job-definition';
import { PermanentJobError } from '../../src/errors';
import { jobSettings, type JobSettings } from '../settings';

const CHANNELS = ['in_app', 'email', 'push', 'sms'] as const;
type Channel = (typeof CHANNELS)[number];

/** How the notification should be presented (icon, colour); stored in-app and sent to push. */
export const NOTIFICATION_TYPES = ['info', 'success', 'warning', 'error'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const userNotificationSchema = z
  .object({
    userId: z.string().min(1).max(200),
    /** Default: in-app only, the one channel that needs neither a provider nor an address. */
    channels: z.array(z.enum(CHANNELS)).min(1).max(4).default(['in_app']),
    title: z.string().min(1).max(200),
    /** The notification's text. */
    message: z.string().min(1).max(10_000).optional(),
    /** The same text under its earlier name; `message` and `body` are one field. */
    body: z.string().min(1).max(10_000).optional(),
    type: z.enum(NOTIFICATION_TYPES).default('info'),
    email: z.string().email().optional(),
    phone: z.string().regex(/^\+?[0-9]{6,16}$/, 'an international phone number').optional(),
    deviceToken: z.string().min(1).max(4096).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((d) => d.message !== undefined || d.body !== undefined, { message: 'give message (the notification text)', path: ['message'] })
  .refine((d) => d.message === undefined || d.body === undefined || d.message === d.body, { message: 'message and body are the same field (the notification text): give one of them', path: ['body'] });

export type UserNotificationData = z.infer<typeof userNotificationSchema>;

/**
 * A channel's outcome: delivered; failed while delivering (`permanent`: the provider refused it);
 * or undeliverable (this deployment has no provider for it, or no address for this user).
 */
type ChannelOutcome =
  | { status: 'delivered'; at: Date; detail?: unknown }
  | { status: 'failed'; permanent: boolean; error: string }
  | { status: 'undeliverable'; reason: string };

interface DeliveryRecord {
  _id: string;
  jobId: string;
  channel: Channel;
  at: Date;
  detail?: unknown;
}

interface Contact {
  email?: string;
  phone?: string;
  deviceToken?: string;
}

/** The message text, whichever name the payload used. */
export function notificationText(data: UserNotificationData): string {
  return data.message ?? data.body ?? '';
}

class ChannelFailure extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

class Undeliverable extends Error {}

/** The provider webhook of push or sms; a deployment without one cannot deliver that channel. */
function providerUrl(url: string | undefined, channel: 'push' | 'sms'): string {
  if (!url) throw new Undeliverable(`no ${channel} provider configured (${channel === 'push' ? 'NOTIFY_PUSH_URL' : 'NOTIFY_SMS_URL'} is not set)`);
  return url;
}

async function postToProvider(url: string, channel: Channel, payload: unknown, settings: JobSettings, signal: AbortSignal): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.any([signal, AbortSignal.timeout(settings.notifyTimeoutMs)]),
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new ChannelFailure(`${channel}: provider unreachable: ${(error as Error).message}`, false);
  }
  const text = await response.text();
  // 4xx (except 408/429) means the request itself is wrong: retrying cannot help.
  if (response.status >= 400) {
    const permanent = response.status < 500 && response.status !== 408 && response.status !== 429;
    throw new ChannelFailure(`${channel}: provider answered ${response.status}: ${text.slice(0, 200)}`, permanent);
  }
  return { status: response.status };
}

/** The user's addresses: the payload's, completed from NOTIFY_CONTACTS (looked up once per run). */
function contactResolver(data: UserNotificationData, context: JobContext, settings: JobSettings): (field: keyof Contact) => Promise<string> {
  let stored: Promise<Contact | null> | undefined;
  return async (field) => {
    const given = data[field];
    if (given) return given;
    const where = settings.notifyContacts;
    if (!where) throw new Undeliverable(`no ${field} for user ${data.userId}: none in the payload, and NOTIFY_CONTACTS is not set`);
    stored ??= context.services.mongo
      .collection<Contact>(where.collection)
      .findOne({ [where.userField]: { $eq: data.userId } }, { projection: { email: 1, phone: 1, deviceToken: 1 } });
    const value = (await stored)?.[field];
    if (typeof value !== 'string' || value === '') {
      throw new Undeliverable(`no ${field} for user ${data.userId}: none in the payload, nor in ${where.collection} (${where.userField} = "${data.userId}")`);
    }
    return value;
  };
}

async function deliver(channel: Channel, data: UserNotificationData, context: JobContext, settings: JobSettings, contact: (field: keyof Contact) => Promise<string>): Promise<unknown> {
  const text = notificationText(data);
  switch (channel) {
    case 'in_app': {
      // Keyed by the job: a retry finds the notification instead of writing a second one.
      await context.services.mongo.collection('notifications').updateOne(
        { sourceJobId: context.jobId },
        { $setOnInsert: { userId: data.userId, title: data.title, body: text, type: data.type, data: data.data ?? {}, createdAt: new Date(), readAt: null, sourceJobId: context.jobId } },
        { upsert: true },
      );
      return { stored: true };
    }
    case 'email': {
      const to = await contact('email');
      const queued = await context.services.enqueue({ type: 'email_send', data: { to, subject: data.title, text }, jobId: `${context.jobId}:email` });
      return { emailJobId: queued.jobId };
    }
    case 'push': {
      const url = providerUrl(settings.pushUrl, 'push');
      const to = await contact('deviceToken');
      return postToProvider(url, 'push', { to, userId: data.userId, title: data.title, body: text, type: data.type, data: data.data }, settings, context.signal);
    }
    case 'sms': {
      const url = providerUrl(settings.smsUrl, 'sms');
      const to = await contact('phone');
      return postToProvider(url, 'sms', { to, text: `${data.title}: ${text}` }, settings, context.signal);
    }
  }
}

/**
 * Notifies a user on several channels. Each delivered channel is recorded under the job's id,
 * so a retry re-sends only the channels that failed; permanent failures and channels this
 * deployment cannot deliver are reported in the result, not retried.
 */
export const userNotificationJob = defineJob({
  type: 'user_notification',
  description: 'Notifies a user in-app, by email, push and SMS',
  schema: userNotificationSchema,
  defaults: { maxAttempts: 5, timeoutMs: 60_000, backoff: { type: 'exponential', delay: 2_000, jitter: 0.2 } },
  batchSize: 75, // Several channels per job: a medium share of a batch.
  async handle(data, context) {
    const settings = jobSettings();
    const contact = contactResolver(data, context, settings);
    const deliveries = context.services.mongo.collection<DeliveryRecord>('notification_deliveries');
    const done = new Map((await deliveries.find({ jobId: context.jobId }).toArray()).map((d) => [d.channel, d]));
    const outcomes: Partial<Record<Channel, ChannelOutcome>> = {};
    const channels = [...new Set(data.channels)];
    for (const [i, channel] of channels.entries()) {
      const previous = done.get(channel);
      if (previous) {
        outcomes[channel] = { status: 'delivered', at: previous.at, detail: previous.detail };
        continue;
      }
      try {
        const detail = await deliver(channel, data, context, settings, contact);
        const at = new Date();
        await deliveries.updateOne({ _id: `${context.jobId}:${channel}` }, { $setOnInsert: { jobId: context.jobId, channel, at, detail } }, { upsert: true });
        outcomes[channel] = { status: 'delivered', at, detail };
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        if (error instanceof Undeliverable) {
          context.logger.warn({ channel, reason: error.message }, 'notification channel undeliverable here');
          outcomes[channel] = { status: 'undeliverable', reason: error.message };
        } else {
          const permanent = error instanceof ChannelFailure ? error.permanent : false;
          outcomes[channel] = { status: 'failed', permanent, error: (error as Error).message };
        }
      }
      await context.reportProgress(Math.round(((i + 1) / channels.length) * 100));
    }
    const retryable = Object.entries(outcomes).filter(([, o]) => o?.status === 'failed' && !o.permanent);
    if (retryable.length > 0) {
      throw new Error(`channels to retry: ${retryable.map(([c, o]) => `${c} (${o?.status === 'failed' ? o.error : ''})`).join('; ')}`);
    }
    if (Object.values(outcomes).every((o) => o?.status !== 'delivered')) {
      throw new PermanentJobError(`no channel could be delivered: ${JSON.stringify(outcomes)}`, 'NO_CHANNEL_DELIVERED');
    }
    const undeliverable = channels.filter((c) => outcomes[c]?.status === 'undeliverable');
    return { type: data.type, channels: outcomes, undeliverable };
  },
});
