import { JobPriorityOutOfRangeError } from './job-queue-errors';
import { QUEUE_PRIORITY } from '../queues/retention';

/**
 * JobQueue priorities keep BullMQ's meaning: 1 is the most urgent, larger numbers are less
 * urgent, and a job without a priority (or with 0) runs ahead of every prioritised job. The
 * named-queue engine runs higher numbers first on 0–100, so a JobQueue priority p becomes
 * 100 − p: none/0 → 100, 1 → 99, 2 → 98, 10 → 90, 100 → 0.
 */
export const JOB_QUEUE_PRIORITY = { min: 1, max: QUEUE_PRIORITY.max - QUEUE_PRIORITY.min } as const;

/** The named-queue priority of a JobQueue priority (throws PRIORITY_OUT_OF_RANGE outside 0–100 or for a fraction). */
export function toQueuePriority(priority: number | undefined): number {
  const p = priority ?? 0;
  if (!Number.isInteger(p) || p < 0 || p > JOB_QUEUE_PRIORITY.max) {
    throw new JobPriorityOutOfRangeError(p, JOB_QUEUE_PRIORITY.min, JOB_QUEUE_PRIORITY.max);
  }
  return QUEUE_PRIORITY.max - p;
}
