import type { Collection, Document } from 'mongodb';
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
    jobRef: { type: Schema.Types.ObjectId },
    deadLetterSeq: Number,
    occurrence: Number,
    reprocessAttempts: { type: Schema.Types.Mixed, default: () => [] },
    reprocessPending: { type: String, default: null },
  },
  { collection: 'dead_letter_jobs', timestamps: true, minimize: false, versionKey: false, suppressReservedKeysWarning: true },
);

/** Names of the DLQ indexes, declared here and nowhere else. */
export const DLQ_INDEX = {
  /** One entry per failure occurrence; older entries lack jobRef and are left out. */
  occurrence: 'occurrence_unique',
  /** Lookups by jobId, newest first (a reused jobId has one entry per failure). */
  jobIdNewest: 'jobId_newest',
} as const;

/** The index entries were once unique on: one entry per jobId, which a reused jobId broke. */
const LEGACY_JOB_ID_INDEX = 'jobId_unique';

dlqSchema.index({ jobRef: 1, deadLetterSeq: 1 }, { unique: true, name: DLQ_INDEX.occurrence, partialFilterExpression: { jobRef: { $exists: true } } });
dlqSchema.index({ jobId: 1, movedAt: -1 }, { name: DLQ_INDEX.jobIdNewest });
dlqSchema.index({ queue: 1, severity: 1, movedAt: -1 }, { name: 'by_severity' });
dlqSchema.index({ queue: 1, type: 1, failureReason: 1 }, { name: 'by_type_reason' });
// Retention (dlq.retentionDays) is the cleanup job's work: it must spare unreviewed critical entries, which a TTL index cannot.
dlqSchema.index({ movedAt: 1 }, { name: 'retention_scan' });

export type DlqModel = Model<DlqRecord>;

export function dlqModelFor(connection: Connection): DlqModel {
  return (connection.models.DeadLetterJob as DlqModel | undefined) ?? connection.model<DlqRecord>('DeadLetterJob', dlqSchema);
}

/**
 * Creates the DLQ indexes, first dropping the unique jobId index of databases written by older
 * versions (it would refuse a reused jobId's new entry). Safe when several processes start at once.
 */
export async function ensureDlqIndexes(model: DlqModel): Promise<void> {
  const collection = model.collection as unknown as Collection<Document>;
  const existing = await collection.listIndexes().toArray().catch(() => []);
  for (const index of existing) {
    const key = index.key as Record<string, unknown>;
    const onJobIdAlone = Object.keys(key).length === 1 && key.jobId !== undefined;
    if (index.name === LEGACY_JOB_ID_INDEX || (onJobIdAlone && index.unique === true)) {
      await collection.dropIndex(String(index.name)).catch((error: { codeName?: string }) => {
        // Another process dropped it first.
        if (error.codeName !== 'IndexNotFound') throw error;
      });
    }
  }
  await model.createIndexes();
}
