import type { Collection, ObjectId } from 'mongodb';
import { FailureReason, severityOf, type DlqRecord, type DlqReprocessAttempt, type DlqReprocessRecord, type DlqSeverity } from '../domain/dlq-record';
import type { JobAttemptError } from '../domain/job-record';
import type { JobDocument } from './job-store';

/** Reprocess calls an entry's audit keeps (the newest); the bounded reprocess history keeps the winners. */
const MAX_REPROCESS_ATTEMPTS_KEPT = 100;

export type DlqDocument = DlqRecord & { _id: ObjectId; createdAt?: Date; updatedAt?: Date };

/**
 * Which entries a lookup by id may find: those of `queue`, and, with `alsoType`, entries of that
 * job type in any queue (the deliveries of named queues, which every manager on a database hosts).
 */
export interface DlqScope {
  queue: string;
  alsoType?: string;
}

function scopeFilter(scope: DlqScope | undefined): Record<string, unknown> {
  if (!scope) return {};
  return scope.alsoType === undefined ? { queue: scope.queue } : { $or: [{ queue: scope.queue }, { type: scope.alsoType }] };
}

/** The dead-letter collection's writes and reads; every write is idempotent or guarded. */
export class DlqStore {
  constructor(readonly collection: Collection<DlqDocument>) {}

  /**
   * Writes the entry for one failure occurrence of a dead job: keyed by the job document's `_id`
   * and its `deadLetterSeq` with $setOnInsert, so running it twice (a retry, or the sweeper
   * repairing a crash) leaves exactly one entry, while a reused jobId that fails again gets its own.
   */
  async recordDeadJob(job: JobDocument, reasonText: string, now: Date): Promise<DlqDocument> {
    const key = { jobRef: job._id, deadLetterSeq: job.deadLetterSeq ?? 0 };
    // A job that died before entries were keyed by occurrence has no sequence; its entry, if
    // written then, is the jobId's entry without a jobRef.
    const existing = await this.collection.findOne(job.deadLetterSeq === undefined ? { $or: [key, { jobId: job.jobId, jobRef: { $exists: false } }] } : key);
    if (existing) return existing;
    // Numbers this jobId's occurrences for reprocessed job ids; only a repeated move of this
    // very occurrence can race here, and $setOnInsert keeps the first value.
    const occurrence = (await this.collection.countDocuments({ jobId: job.jobId })) + 1;
    const entry: Omit<DlqRecord, 'review' | 'reprocessHistory' | 'reprocessCount'> = {
      jobId: job.jobId,
      queue: job.queue,
      type: job.type,
      data: job.data,
      priority: job.priority,
      band: job.band,
      severity: severityOf(job.band),
      attempts: job.attempts,
      maxAttempts: job.maxAttempts,
      errors: job.errors ?? [],
      history: job.history ?? [],
      lastError: job.lastError ?? null,
      failureReason: classifyFailure(job.lastError ?? null, reasonText),
      reasonText,
      jobCreatedAt: job.createdAt,
      movedAt: now,
      ...key,
      occurrence,
    };
    const insert = { $setOnInsert: { ...entry, review: null, reprocessHistory: [], reprocessCount: 0, reprocessAttempts: [], reprocessPending: null, createdAt: now, updatedAt: now } };
    try {
      const doc = await this.collection.findOneAndUpdate(key, insert, { upsert: true, returnDocument: 'after' });
      if (doc) return doc;
    } catch (error) {
      // Two upserts of one key at once: MongoDB lets one insert and fails the other on the unique index.
      if ((error as { code?: unknown }).code !== 11000) throw error;
    }
    const doc = await this.collection.findOne(key);
    if (!doc) throw new Error(`DLQ upsert for ${job.jobId} returned no document`);
    return doc;
  }

  /** The collection's document count from its metadata (every queue sharing it; no scan). */
  async estimatedCount(): Promise<number> {
    return this.collection.estimatedDocumentCount();
  }

  get collectionName(): string {
    return this.collection.collectionName;
  }

  /** The entry with this id, if `scope` (when given) covers its queue. */
  async findById(id: ObjectId, scope?: DlqScope): Promise<DlqDocument | null> {
    return this.collection.findOne({ _id: id, ...scopeFilter(scope) });
  }

  /** The newest entry of a jobId (a reused jobId has one per failure; see listByJobId). */
  async findByJobId(jobId: string, scope: DlqScope): Promise<DlqDocument | null> {
    return this.collection.findOne({ jobId, ...scopeFilter(scope) }, { sort: { movedAt: -1, _id: -1 } });
  }

  async findBySeverity(queue: string, severity: DlqSeverity, limit: number): Promise<DlqDocument[]> {
    return this.collection.find({ queue, severity }).sort({ movedAt: -1 }).limit(limit).toArray();
  }

  async markReviewed(id: ObjectId, by: string, note: string | undefined, now: Date): Promise<DlqDocument | null> {
    return this.collection.findOneAndUpdate(
      { _id: id },
      { $set: { review: note === undefined ? { by, at: now } : { by, at: now, note }, updatedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /**
   * Compare-and-set of one reprocess: succeeds only while the entry still has the count the
   * caller read, no other reprocess is half-done and the bound (`dlq.maxReprocessAttempts`)
   * holds, so of several admins reprocessing at once exactly one wins. The winner's new job id
   * stays in `reprocessPending` until the job is added (see confirmReprocess).
   */
  async claimReprocess(id: ObjectId, expectedCount: number, limit: number, record: DlqReprocessRecord, attempt: DlqReprocessAttempt, now: Date): Promise<DlqDocument | null> {
    return this.collection.findOneAndUpdate(
      { _id: id, reprocessCount: expectedCount, reprocessPending: null, $expr: { $lt: ['$reprocessCount', limit] } },
      {
        $inc: { reprocessCount: 1 },
        $push: { reprocessHistory: record, reprocessAttempts: { $each: [attempt], $slice: -MAX_REPROCESS_ATTEMPTS_KEPT } },
        $set: { reprocessPending: record.newJobId, updatedAt: now },
      },
      { returnDocument: 'after' },
    );
  }

  /** Ends a won reprocess once its new job exists. */
  async confirmReprocess(id: ObjectId, newJobId: string, now: Date): Promise<DlqDocument | null> {
    return this.collection.findOneAndUpdate(
      { _id: id, reprocessPending: newJobId },
      { $set: { reprocessPending: null, updatedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /** Audits a reprocess call that lost to another admin's. */
  async recordRefusedReprocess(id: ObjectId, attempt: DlqReprocessAttempt, now: Date): Promise<void> {
    await this.collection.updateOne(
      { _id: id },
      { $push: { reprocessAttempts: { $each: [attempt], $slice: -MAX_REPROCESS_ATTEMPTS_KEPT } }, $set: { updatedAt: now } },
    );
  }

  async stats(queue: string): Promise<{
    totalEntries: number;
    byJobType: Record<string, number>;
    byFailureReason: Record<string, number>;
    bySeverity: Record<string, number>;
    oldestEntry: Date | null;
  }> {
    const [facets] = await this.collection
      .aggregate<{
        total: Array<{ n: number }>;
        byType: Array<{ _id: string; n: number }>;
        byReason: Array<{ _id: string; n: number }>;
        bySeverity: Array<{ _id: string; n: number }>;
        oldest: Array<{ movedAt: Date }>;
      }>([
        { $match: { queue } },
        {
          $facet: {
            total: [{ $count: 'n' }],
            byType: [{ $group: { _id: '$type', n: { $sum: 1 } } }],
            byReason: [{ $group: { _id: '$failureReason', n: { $sum: 1 } } }],
            bySeverity: [{ $group: { _id: '$severity', n: { $sum: 1 } } }],
            oldest: [{ $sort: { movedAt: 1 } }, { $limit: 1 }, { $project: { _id: 0, movedAt: 1 } }],
          },
        },
      ])
      .toArray();
    const toRecord = (rows: Array<{ _id: string; n: number }>) => Object.fromEntries(rows.map((r) => [r._id, r.n]));
    return {
      totalEntries: facets?.total[0]?.n ?? 0,
      byJobType: toRecord(facets?.byType ?? []),
      byFailureReason: toRecord(facets?.byReason ?? []),
      bySeverity: toRecord(facets?.bySeverity ?? []),
      oldestEntry: facets?.oldest[0]?.movedAt ?? null,
    };
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** Classifies why a job died from its last error (what admins filter the DLQ by). */
export function classifyFailure(lastError: JobAttemptError | null, reasonText: string): FailureReason {
  if (!lastError) return /lease expired|stalled/i.test(reasonText) ? FailureReason.Stalled : FailureReason.Manual;
  if (lastError.code === 'JOB_TIMEOUT') return FailureReason.Timeout;
  if (lastError.code === 'LEASE_EXPIRED') return FailureReason.Stalled;
  if (lastError.code === 'INVALID_JOB_DATA' || lastError.name === 'ZodError') return FailureReason.InvalidData;
  if (lastError.name === 'PermanentJobError') return FailureReason.PermanentError;
  if (lastError.code && NETWORK_CODES.has(lastError.code)) return FailureReason.NetworkError;
  return FailureReason.HandlerError;
}
