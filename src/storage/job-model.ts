import { Schema, type Connection, type Model } from 'mongoose';
import { ALL_JOB_STATUSES, JobStatus } from '../domain/job-status';
import { BANDS_IN_ORDER } from '../domain/priority-band';
import type { JobRecord } from '../domain/job-record';

const historyEntrySchema = new Schema(
  { from: { type: String, default: null }, to: String, at: Date, by: String, reason: String },
  { _id: false },
);

const attemptErrorSchema = new Schema(
  {
    attempt: Number,
    message: String,
    name: String,
    code: String,
    stack: String,
    workerId: String,
    durationMs: Number,
    at: Date,
  },
  { _id: false },
);

const jobSchema = new Schema<JobRecord>(
  {
    jobId: { type: String, required: true },
    queue: { type: String, required: true },
    type: { type: String, required: true },
    data: { type: Schema.Types.Mixed },
    priority: { type: Number, required: true },
    band: { type: String, enum: BANDS_IN_ORDER, required: true },
    orderKey: { type: Number, required: true },
    lifo: { type: Boolean, default: false },
    status: { type: String, enum: ALL_JOB_STATUSES, required: true },
    attempts: { type: Number, default: 0 },
    maxAttempts: { type: Number, required: true },
    backoff: { type: Schema.Types.Mixed, required: true },
    timeoutMs: { type: Number, required: true },
    runAt: { type: Date, required: true },
    processingAt: { type: Date, default: null },
    runStartedAt: { type: Date, default: null },
    completedAt: { type: Date, default: null },
    failedAt: { type: Date, default: null },
    lockedBy: { type: String, default: null },
    lockedUntil: { type: Date, default: null },
    lockToken: { type: String, default: null },
    batchedUntil: { type: Date, default: null },
    progress: { type: Schema.Types.Mixed },
    result: { type: Schema.Types.Mixed },
    lastError: { type: attemptErrorSchema, default: null },
    errors: { type: [attemptErrorSchema], default: [] },
    history: { type: [historyEntrySchema], default: [] },
    reprocessOf: { type: String, default: null },
    dlqPending: { type: Boolean },
    deadLetterSeq: { type: Number },
  },
  {
    collection: 'jobs',
    timestamps: true,
    minimize: false,
    versionKey: false,
    // `errors` is a field of ours, not mongoose's validation errors.
    suppressReservedKeysWarning: true,
  },
);

/**
 * Every index of `jobs`, each named after the query it serves. Ensured once at start.
 * - claim_order: pending/batched jobs of a queue by priority, then ready order (also the loader's
 *   band query, a range on priority, and the listings by status and priority).
 * - The sweeps and the scheduler read small subsets (jobs processing, batched, scheduled, or
 *   half-way into the DLQ): partial indexes hold only those documents, so the common status
 *   changes do not pay for maintaining them. Their queries name them with `hint`.
 */
export const JOB_INDEX = {
  leaseSweep: 'lease_sweep',
  batchSweep: 'batch_sweep',
  scheduleScan: 'schedule_scan',
  dlqRepair: 'dlq_repair',
  recentCompletions: 'recent_completions',
} as const;

jobSchema.index({ jobId: 1 }, { unique: true, name: 'jobId_unique' });
jobSchema.index({ queue: 1, status: 1, priority: -1, orderKey: 1, _id: 1 }, { name: 'claim_order' });
jobSchema.index({ lockedUntil: 1 }, { name: JOB_INDEX.leaseSweep, partialFilterExpression: { status: JobStatus.Processing } });
jobSchema.index({ batchedUntil: 1 }, { name: JOB_INDEX.batchSweep, partialFilterExpression: { status: JobStatus.Batched } });
jobSchema.index({ queue: 1, runAt: 1 }, { name: JOB_INDEX.scheduleScan, partialFilterExpression: { status: JobStatus.Scheduled } });
jobSchema.index({ failedAt: 1 }, { name: JOB_INDEX.dlqRepair, partialFilterExpression: { dlqPending: true } });
// checkHealth's performance window (jobs completed in the last minutes): a range of keys instead
// of a scan of every completed job the queue keeps.
jobSchema.index({ queue: 1, completedAt: -1 }, { name: JOB_INDEX.recentCompletions, partialFilterExpression: { status: JobStatus.Completed } });

// The admin API's and the dashboard's job search: newest first within a queue (or within one
// status of it), paged by cursor; other filters narrow the scan of these keys.
jobSchema.index({ queue: 1, createdAt: -1, _id: -1 }, { name: 'newest_first' });
jobSchema.index({ queue: 1, status: 1, createdAt: -1, _id: -1 }, { name: 'status_newest_first' });

export type JobModel = Model<JobRecord>;

/** The jobs model bound to one connection (several managers may use several databases). */
export function jobModelFor(connection: Connection): JobModel {
  return (connection.models.Job as JobModel | undefined) ?? connection.model<JobRecord>('Job', jobSchema);
}
