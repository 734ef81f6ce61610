import { z } from 'zod';
import { defineJob, type JobContext } from '../../src/domain/job-definition';
import { PermanentJobError } from '../../src/errors';
import { jobSettings, type JobSettings } from '../settings';

const CHANNELS = ['in_app', 'email', 'push', 'sms'] as const;
type Channel = (typeof CHANNELS)[number];

export const userNotificationSchema = z.object({
  userId: z.string().min(1).max(200),
  channels: z.array(z.enum(CHANNELS)).min(1).max(4),
  title: z.string().min(1).max(200),
  body: z.string().min(1).max(10_000),
  email: z.string().email().optional(),
  phone: z.string().regex(/^\+?[0-9]{6,16}$/, 'an international phone number').optional(),
  deviceToken: z.string().min(1).max(4096).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export type UserNotificationData = z.infer<typeof userNotificationSchema>;

type ChannelOutcome = { status: 'delivered'; at: Date; detail?: unknown } | { status: 'failed'; permanent: boolean; error: string };

interface DeliveryRecord {
  _id: string;
  jobId: string;
  channel: Channel;
  at: Date;
  detail?: unknown;
}

class ChannelFailure extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

async function postToProvider(url: string | undefined, channel: Channel, payload: unknown, settings: JobSettings, signal: AbortSignal): Promise<unknown> {
  if (!url) throw new ChannelFailure(`${channel}: no provider configured (${channel === 'push' ? 'NOTIFY_PUSH_URL' : 'NOTIFY_SMS_URL'})`, true);
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

async function deliver(channel: Channel, data: UserNotificationData, context: JobContext, settings: JobSettings): Promise<unknown> {
  switch (channel) {
    case 'in_app': {
      // Keyed by the job: a retry finds the notification instead of writing a second one.
      await context.services.mongo.collection('notifications').updateOne(
        { sourceJobId: context.jobId },
        { $setOnInsert: { userId: data.userId, title: data.title, body: data.body, data: data.data ?? {}, createdAt: new Date(), readAt: null, sourceJobId: context.jobId } },
        { upsert: true },
      );
      return { stored: true };
    }
    case 'email': {
      if (!data.email) throw new ChannelFailure('email: no email address in the payload', true);
      const queued = await context.services.enqueue({ type: 'email_send', data: { to: data.email, subject: data.title, text: data.body }, jobId: `${context.jobId}:email` });
      return { emailJobId: queued.jobId };
    }
    case 'push':
      if (!data.deviceToken) throw new ChannelFailure('push: no deviceToken in the payload', true);
      return postToProvider(settings.pushUrl, 'push', { to: data.deviceToken, title: data.title, body: data.body, data: data.data }, settings, context.signal);
    case 'sms':
      if (!data.phone) throw new ChannelFailure('sms: no phone number in the payload', true);
      return postToProvider(settings.smsUrl, 'sms', { to: data.phone, text: `${data.title}: ${data.body}` }, settings, context.signal);
  }
}

/**
 * Notifies a user on several channels. Each delivered channel is recorded under the job's id,
 * so a retry re-sends only the channels that failed; permanent failures are reported, not retried.
 */
export const userNotificationJob = defineJob({
  type: 'user_notification',
  description: 'Notifies a user in-app, by email, push and SMS',
  schema: userNotificationSchema,
  defaults: { maxAttempts: 5, timeoutMs: 60_000, backoff: { type: 'exponential', delay: 2_000, jitter: 0.2 } },
  batchSize: 75, // Several channels per job: a medium share of a batch.
  async handle(data, context) {
    const settings = jobSettings();
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
        const detail = await deliver(channel, data, context, settings);
        const at = new Date();
        await deliveries.updateOne({ _id: `${context.jobId}:${channel}` }, { $setOnInsert: { jobId: context.jobId, channel, at, detail } }, { upsert: true });
        outcomes[channel] = { status: 'delivered', at, detail };
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        const permanent = error instanceof ChannelFailure ? error.permanent : false;
        outcomes[channel] = { status: 'failed', permanent, error: (error as Error).message };
      }
      await context.reportProgress(Math.round(((i + 1) / channels.length) * 100));
    }
    const retryable = Object.entries(outcomes).filter(([, o]) => o?.status === 'failed' && !o.permanent);
    if (retryable.length > 0) {
      throw new Error(`channels to retry: ${retryable.map(([c, o]) => `${c} (${o?.status === 'failed' ? o.error : ''})`).join('; ')}`);
    }
    if (Object.values(outcomes).every((o) => o?.status === 'failed')) {
      throw new PermanentJobError(`no channel could be delivered: ${JSON.stringify(outcomes)}`, 'NO_CHANNEL_DELIVERED');
    }
    return { channels: outcomes };
  },
});
