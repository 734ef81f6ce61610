import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../domain/job-definition';
import type { JobRecord } from '../../domain/job-record';
import { PermanentJobError } from '../../errors';
import { bandOf, type PriorityLevels } from '../../domain/priority-band';
import { newJobRecord } from '../../storage/new-job-record';
import type { MessageDocument } from '../../storage/message-store';

/**
 * A named queue's message reaches each consumer group as one engine job (a delivery) in the
 * group's own engine queue `<queue>#<group>`: its own status, lease, attempts, audit trail and
 * DLQ entry, so one group's failures never touch another's.
 */
export const QUEUE_MESSAGE_TYPE = 'queue-message';

/** Bands over the named-queue priorities 0–100 (higher first). */
export const DELIVERY_PRIORITY_LEVELS: PriorityLevels = {
  CRITICAL: { min: 75, max: 100 },
  HIGH: { min: 50, max: 74 },
  NORMAL: { min: 25, max: 49 },
  LOW: { min: 0, max: 24 },
};

export function deliveryQueueName(queue: string, group: string): string {
  return `${queue}#${group}`;
}

export function deliveryJobId(queue: string, group: string, messageId: string): string {
  return `${deliveryQueueName(queue, group)}#${messageId}`;
}

/** The message id inside a delivery's job id. */
export function messageIdOf(queue: string, group: string, jobId: string): string {
  const prefix = `${deliveryQueueName(queue, group)}#`;
  return jobId.startsWith(prefix) ? jobId.slice(prefix.length) : jobId;
}

export interface DeliverySettings {
  maxRetries: number;
  delayMultiplier: number;
  timeoutMs: number;
}

export function buildDelivery(message: MessageDocument, group: string, settings: DeliverySettings, now: Date): JobRecord {
  return newJobRecord(
    {
      jobId: deliveryJobId(message.queue, group, message.messageId),
      queue: deliveryQueueName(message.queue, group),
      type: QUEUE_MESSAGE_TYPE,
      data: message.data,
      priority: message.priority,
      band: bandOf(message.priority, DELIVERY_PRIORITY_LEVELS) ?? 'LOW',
      orderKey: message.orderKey,
      lifo: message.lifo,
      maxAttempts: message.attempts ?? settings.maxRetries + 1,
      backoff: message.backoff
        ? { type: message.backoff.type, delay: Math.round(message.backoff.delaySeconds * 1000 * settings.delayMultiplier), jitter: 0 }
        : // 2^(attempt-1) × 2 s = 2^attempt × 1 s, the named-queue API's documented retry delay.
          { type: 'exponential', delay: Math.round(2000 * settings.delayMultiplier), jitter: 0 },
      timeoutMs: settings.timeoutMs,
      runAt: message.runAt,
      createdAt: message.createdAt,
      by: 'enqueue',
      reason: `message ${message.messageId} for group ${group}`,
    },
    now,
  );
}

/**
 * The delivery type as an admin tool sees it (reprocessing a dead-lettered delivery): any data,
 * retries as the named-queue API does them. Only consumers run deliveries; this handler never does.
 */
export const deliveryAdminDefinition: JobDefinition = defineJob({
  type: QUEUE_MESSAGE_TYPE,
  description: 'a message of a named queue for one consumer group',
  schema: z.unknown(),
  defaults: { backoff: { type: 'exponential', delay: 2000, jitter: 0 } },
  async handle() {
    throw new PermanentJobError('named-queue messages run in their consumers (queue.consume), not in a job worker');
  },
});
