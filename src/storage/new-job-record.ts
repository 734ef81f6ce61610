import type { JobRecord } from '../domain/job-record';
import { JobStatus } from '../domain/job-status';
import { historyEntry } from './audit';
import { orderKeyFor } from './order-key';

/** What a new job is made of, validated and resolved by the caller (addJob, a named-queue delivery). */
export type NewJobFields = Pick<JobRecord, 'jobId' | 'queue' | 'type' | 'data' | 'priority' | 'band' | 'lifo' | 'maxAttempts' | 'backoff' | 'timeoutMs' | 'runAt'> & {
  /** Its place within the priority (default: when it becomes ready, negated for LIFO). */
  orderKey?: number;
  /** Default: now. */
  createdAt?: Date;
  /** Who added it, and why (default: "added", or "scheduled for <runAt>"), for its first history entry. */
  by: string;
  reason?: string;
};

/** The one place a job record is born: scheduled when runAt is in the future, pending otherwise, with its first audit entry. */
export function newJobRecord(fields: NewJobFields, now: Date): JobRecord {
  const { by, reason, orderKey, createdAt, ...job } = fields;
  const status = job.runAt.getTime() > now.getTime() ? JobStatus.Scheduled : JobStatus.Pending;
  return {
    ...job,
    orderKey: orderKey ?? orderKeyFor(status === JobStatus.Pending ? now : job.runAt, job.lifo),
    status,
    attempts: 0,
    createdAt: createdAt ?? now,
    updatedAt: now,
    errors: [],
    history: [historyEntry(null, status, by, now, reason ?? (status === JobStatus.Scheduled ? `scheduled for ${job.runAt.toISOString()}` : 'added'))],
  };
}
