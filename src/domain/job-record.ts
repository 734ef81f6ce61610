import type { BackoffOptions } from './backoff';
import type { JobStatus } from './job-status';
import type { PriorityBand } from './priority-band';

/** One audit entry: every status change appends one. */
export interface JobHistoryEntry {
  from: JobStatus | null;
  to: JobStatus;
  at: Date;
  /** A worker id, an admin name, or a system component (sweeper, loader, api). */
  by: string;
  reason?: string;
}

/** One failed attempt. */
export interface JobAttemptError {
  attempt: number;
  message: string;
  name: string;
  code?: string;
  stack?: string;
  workerId: string;
  durationMs: number;
  at: Date;
}

/** A job as stored in MongoDB (the `jobs` collection). */
export interface JobRecord {
  jobId: string;
  queue: string;
  type: string;
  data: unknown;
  priority: number;
  band: PriorityBand;
  /** Sort key within a priority: time the job became ready, negated for LIFO jobs. */
  orderKey: number;
  lifo: boolean;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  timeoutMs: number;
  runAt: Date;
  createdAt: Date;
  updatedAt: Date;
  processingAt?: Date | null;
  /** When the handler of the current (or last) claim started; null while a claim has not started it. */
  runStartedAt?: Date | null;
  completedAt?: Date | null;
  failedAt?: Date | null;
  lockedBy?: string | null;
  lockedUntil?: Date | null;
  /** Changes on every claim; a completion must present it (fencing). */
  lockToken?: string | null;
  batchedUntil?: Date | null;
  progress?: unknown;
  result?: unknown;
  /** Set when the handler succeeded but its result could not be stored (result is then null). */
  resultError?: { message: string; sizeBytes?: number } | null;
  lastError?: JobAttemptError | null;
  errors: JobAttemptError[];
  history: JobHistoryEntry[];
  /** Set when this job was created by reprocessing a DLQ entry. */
  reprocessOf?: string | null;
  /** True between the job's move to `dead` and its DLQ entry being written (repaired by the sweeper). */
  dlqPending?: boolean;
  /**
   * How many times this job document has turned `dead` (1 after the first). With the document's
   * `_id` it names one failure occurrence: the key of its DLQ entry.
   */
  deadLetterSeq?: number;
}
