import { ObjectId, type Filter } from 'mongodb';
import type { DlqSeverity } from '../domain/dlq-record';
import type { DlqDocument, DlqStore } from './dlq-store';

export interface DlqListFilter {
  /** Every entry of this jobId, newest first: a reused jobId has one per failure. */
  jobId?: string;
  severity?: DlqSeverity;
  type?: string;
  failureReason?: string;
  reviewed?: boolean;
  limit?: number;
  skip?: number;
}

/**
 * A dead-letter entry as the API returns it: the stored document plus `id`, the hex string of
 * its `_id` (what mongoose documents call `id`), so `entry.id.toString()` names the entry in
 * reprocessDLQEntry and markDLQAsReviewed.
 */
export type DlqEntry = DlqDocument & { id: string };

export function withEntryId(doc: DlqDocument): DlqEntry {
  return Object.assign(doc, { id: doc._id.toHexString() });
}

export function withEntryIdOrNull(doc: DlqDocument | null): DlqEntry | null {
  return doc ? withEntryId(doc) : null;
}

/** Read access to one queue's dead-letter entries, and the development tool that clears them. */
export class DlqRepository {
  constructor(
    private readonly store: DlqStore,
    private readonly queue: string,
  ) {}

  /** This queue's entry with this id (another queue's is not found). */
  async findById(id: string): Promise<DlqEntry | null> {
    if (!ObjectId.isValid(id)) return null;
    return withEntryIdOrNull(await this.store.findById(new ObjectId(id), { queue: this.queue }));
  }

  /** The newest entry of this jobId in this queue; `list({ jobId })` gives all of them. */
  async findByJobId(jobId: string): Promise<DlqEntry | null> {
    return withEntryIdOrNull(await this.store.findByJobId(jobId, { queue: this.queue }));
  }

  async list(filter: DlqListFilter = {}): Promise<DlqEntry[]> {
    const docs = await this.store.collection
      .find(this.query(filter))
      .sort({ movedAt: -1, _id: -1 })
      .skip(filter.skip ?? 0)
      .limit(Math.min(Math.max(1, filter.limit ?? 100), 1000))
      .toArray();
    return docs.map(withEntryId);
  }

  /** How many of this queue's entries match `filter` (limit and skip do not apply). */
  async count(filter: Omit<DlqListFilter, 'limit' | 'skip'> = {}): Promise<number> {
    return this.store.collection.countDocuments(this.query(filter));
  }

  private query(filter: DlqListFilter): Filter<DlqDocument> {
    const query: Filter<DlqDocument> = { queue: this.queue };
    if (filter.jobId !== undefined) query.jobId = filter.jobId;
    if (filter.severity) query.severity = filter.severity;
    if (filter.type) query.type = filter.type;
    if (filter.failureReason) query.failureReason = filter.failureReason as DlqDocument['failureReason'];
    if (filter.reviewed !== undefined) query.review = filter.reviewed ? { $ne: null } : null;
    return query;
  }

  /**
   * How many entries moved to the DLQ at most each age ago and not earlier than the previous one:
   * `[1h, 1d]` gives counts for (0, 1h], (1h, 1d] and older. One count per range (the movedAt index).
   */
  async countByAge(agesMs: readonly number[], now = Date.now()): Promise<number[]> {
    const edges = [0, ...agesMs, Number.POSITIVE_INFINITY];
    return Promise.all(
      edges.slice(1).map((older, i) => {
        const movedAt: Record<string, Date> = { $lte: new Date(now - edges[i]) };
        if (Number.isFinite(older)) movedAt.$gt = new Date(now - older);
        return this.store.collection.countDocuments({ queue: this.queue, movedAt });
      }),
    );
  }

  /**
   * Deletes this queue's entries that match `filter` (`{}`: all of them) and returns how many.
   * The filter is ANDed with this queue's name, so it can never reach another queue's entries.
   * A development and test tool: entries are the audit of failed jobs.
   */
  async deleteMany(filter: Filter<DlqDocument> = {}): Promise<number> {
    const result = await this.store.collection.deleteMany({ $and: [filter, { queue: this.queue }] });
    return result.deletedCount;
  }
}
