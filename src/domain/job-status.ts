/**
 * Every status a job can have. Stored as-is in MongoDB and never derived from timestamps.
 *
 *   scheduled ──(runAt reached)──▶ pending ──(loaded into Redis)──▶ batched
 *        ▲                           ▲  ▲                              │
 *        │ retry with backoff        │  └──(batch expired)─────────────┤
 *        │                           │                                 ▼
 *        └──────────────── processing ◀──────(claimed, lease held)─────┘
 *                            │    └──(lease expired: sweeper)──▶ pending
 *                            ├──▶ completed
 *                            └──▶ dead (moved to the DLQ)
 *   cancelled: by an admin, from scheduled, pending or batched.
 */
export const JobStatus = {
  Scheduled: 'scheduled',
  Pending: 'pending',
  Batched: 'batched',
  Processing: 'processing',
  Completed: 'completed',
  Dead: 'dead',
  Cancelled: 'cancelled',
} as const;

export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const ALL_JOB_STATUSES: readonly JobStatus[] = Object.values(JobStatus);

/** Statuses from which a worker may claim a job. */
export const CLAIMABLE_STATUSES: readonly JobStatus[] = [JobStatus.Pending, JobStatus.Batched];

/** Statuses that are final: nothing changes them except an admin's reprocess (which makes a new job). */
export const FINAL_STATUSES: readonly JobStatus[] = [JobStatus.Completed, JobStatus.Dead, JobStatus.Cancelled];
