import { Schema, type Connection, type Model } from 'mongoose';
import type { DlqRecord } from '../domain/dlq-record';

const dlqSchema = new Schema<DlqRecord>(
  {
    jobId: { type: String, required: true },
    queue: { type: String, required: true },
    type: { type: String, required: true },
    data: { type: Schema.Types.Mixed },
    priority: Number,
    band: String,
    severity: { type: String, required: true },
    attempts: Number,
    maxAttempts: Number,
    errors: { type: Schema.Types.Mixed, default: () => [] },
    history: { type: Schema.Types.Mixed, default: () => [] },
    lastError: { type: Schema.Types.Mixed, default: null },
    failureReason: { type: String, required: true },
    reasonText: String,
    jobCreatedAt: Date,
    movedAt: { type: Date, required: true },
    review: { type: Schema.Types.Mixed, default: null },
    reprocessHistory: { type: Schema.Types.Mixed, default: () => [] },
    reprocessCount: { type: Number, default: 0 },
  },
  { collection: 'dead_letter_jobs', timestamps: true, minimize: false, versionKey: false, suppressReservedKeysWarning: true },
);

dlqSchema.index({ jobId: 1 }, { unique: true, name: 'jobId_unique' });
dlqSchema.index({ queue: 1, severity: 1, movedAt: -1 }, { name: 'by_severity' });
dlqSchema.index({ queue: 1, type: 1, failureReason: 1 }, { name: 'by_type_reason' });
// Retention (dlq.retentionDays) is the cleanup job's work: it must spare unreviewed critical entries, which a TTL index cannot.
dlqSchema.index({ movedAt: 1 }, { name: 'retention_scan' });

export type DlqModel = Model<DlqRecord>;

export function dlqModelFor(connection: Connection): DlqModel {
  return (connection.models.DeadLetterJob as DlqModel | undefined) ?? connection.model<DlqRecord>('DeadLetterJob', dlqSchema);
}
