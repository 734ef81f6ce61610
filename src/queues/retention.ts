import { z } from 'zod';
import type { MessageBackoff } from '../queue-api/queue-api';
import type { RetentionRule } from '../domain/retention-rule';

/**
 * How long finished jobs stay visible (stats, dedup by jobId, inspection): by default the
 * newest 1,000 completed jobs for up to 24 hours, failed jobs for 7 days.
 */
export const retentionSchema = z
  .object({
    completed: z
      .object({
        maxCount: z.number().int().min(0).default(1000),
        maxAgeSeconds: z.number().int().min(0).default(86_400),
      })
      .prefault({}),
    failed: z
      .object({
        maxAgeSeconds: z.number().int().min(0).default(7 * 86_400),
      })
      .prefault({}),
  })
  .prefault({});

export type RetentionPolicy = z.output<typeof retentionSchema>;

/** A named queue's retention policy (seconds, as configured) as the storage's retention rule. */
export function retentionRuleOf(policy: RetentionPolicy): RetentionRule {
  return { completedMaxAgeMs: policy.completed.maxAgeSeconds * 1000, completedMaxCount: policy.completed.maxCount, failedMaxAgeMs: policy.failed.maxAgeSeconds * 1000 };
}

/** Retry delay of the named-queue API after `attempt` failed attempts: 2^attempt × 1 s, scaled. */
export function queueRetryDelayMs(attempt: number, delayMultiplier: number): number {
  return Math.round(2 ** attempt * 1000 * delayMultiplier);
}

/** Retry delay of a message with its own backoff after `attempt` failed attempts (the engine's backoffDelay, without jitter). */
export function messageRetryDelayMs(backoff: MessageBackoff, attempt: number, delayMultiplier: number): number {
  const base = backoff.type === 'fixed' ? backoff.delaySeconds : backoff.delaySeconds * 2 ** Math.max(0, attempt - 1);
  return Math.round(base * 1000 * delayMultiplier);
}

/** Shared enqueue limits. */
/** Priorities 0–100 keep FIFO exact within a priority in the Redis batches (see BatchCache). */
export const QUEUE_PRIORITY = { min: 0, max: 100, default: 0 } as const;
