import { Schema, type Connection, type Model } from 'mongoose';
import { ALL_JOB_STATUSES } from '../domain/job-status';
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
 * - claim: pending/batched jobs of a queue by priority, then ready order (also the loader's band query,
 *   a range on priority, and the listings by status and priority).
 * - lease / batch sweeps: expired leases and expired batches.
 * - schedule: due scheduled jobs.
 */
jobSchema.index({ jobId: 1 }, { unique: true, name: 'jobId_unique' });
jobSchema.index({ queue: 1, status: 1, priority: -1, orderKey: 1, _id: 1 }, { name: 'claim_order' });
jobSchema.index({ status: 1, lockedUntil: 1 }, { name: 'lease_sweep' });
jobSchema.index({ status: 1, batchedUntil: 1 }, { name: 'batch_sweep' });
jobSchema.index({ queue: 1, status: 1, runAt: 1 }, { name: 'schedule_scan' });
jobSchema.index({ status: 1, dlqPending: 1 }, { name: 'dlq_repair', sparse: true });

export type JobModel = Model<JobRecord>;

/** The jobs model bound to one connection (several managers may use several databases). */
export function jobModelFor(connection: Connection): JobModel {
  return (connection.models.Job as JobModel | undefined) ?? connection.model<JobRecord>('Job', jobSchema);
}
