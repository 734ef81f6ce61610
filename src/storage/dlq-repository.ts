import { ObjectId } from 'mongodb';
import type { DlqSeverity } from '../domain/dlq-record';
import type { DlqDocument, DlqStore } from './dlq-store';

export interface DlqListFilter {
  severity?: DlqSeverity;
  type?: string;
  failureReason?: string;
  reviewed?: boolean;
  limit?: number;
  skip?: number;
}

/** Read access to one queue's dead-letter entries. */
export class DlqRepository {
  constructor(
    private readonly store: DlqStore,
    private readonly queue: string,
  ) {}

  async findById(id: string): Promise<DlqDocument | null> {
    if (!ObjectId.isValid(id)) return null;
    return this.store.findById(new ObjectId(id));
  }

  async findByJobId(jobId: string): Promise<DlqDocument | null> {
    return this.store.findByJobId(jobId);
  }

  async list(filter: DlqListFilter = {}): Promise<DlqDocument[]> {
    const query: Record<string, unknown> = { queue: this.queue };
    if (filter.severity) query.severity = filter.severity;
    if (filter.type) query.type = filter.type;
    if (filter.failureReason) query.failureReason = filter.failureReason;
    if (filter.reviewed !== undefined) query.review = filter.reviewed ? { $ne: null } : null;
    return this.store.collection
      .find(query)
      .sort({ movedAt: -1, _id: -1 })
      .skip(filter.skip ?? 0)
      .limit(Math.min(Math.max(1, filter.limit ?? 100), 1000))
      .toArray();
  }
}
