import type { Collection, Filter, ObjectId } from 'mongodb';
import type { JobStatus } from '../domain/job-status';
import { JobStatus as Status } from '../domain/job-status';
import type { PriorityBand } from '../domain/priority-band';
import { JOB_INDEX } from './job-model';
import type { JobDocument } from './job-store';

/** What an admin listing of one queue's jobs may filter on (validated values only). */
export interface JobListCriteria {
  status?: JobStatus;
  type?: string;
  band?: PriorityBand;
  minPriority?: number;
  maxPriority?: number;
  createdFrom?: Date;
  createdTo?: Date;
  /** Keyset cursor: strictly after this job in listing order (newest first). */
  after?: { createdAt: Date; id: ObjectId };
  limit: number;
  skip?: number;
}

/** A job in a listing: the document without its audit arrays (history, errors). */
export type ListedJob = Omit<JobDocument, 'history' | 'errors'>;

/** The finished jobs of one queue within a time window, for health figures. */
export interface FinishedInWindow {
  completed: number;
  failed: number;
  /** Run times (ms) of the newest `sample` of each outcome. */
  durations: number[];
}

/** Newest first; `_id` breaks ties between jobs created in the same millisecond. */
const LIST_SORT = { createdAt: -1, _id: -1 } as const;

/** Reads of the jobs collection beyond one job's transitions: listings, lookups and counts, each scoped to a queue. */
export class JobReads {
  constructor(private readonly collection: Collection<JobDocument>) {}

  /** One queue's jobs matching `criteria`, newest first, without their audit arrays. */
  async list(queue: string, criteria: JobListCriteria): Promise<ListedJob[]> {
    return this.listed(queue, criteria, { history: 0, errors: 0 });
  }

  /** As list, with each job's history and errors. */
  async listWithAudit(queue: string, criteria: JobListCriteria): Promise<JobDocument[]> {
    return this.listed(queue, criteria, {});
  }

  private listed(queue: string, criteria: JobListCriteria, projection: Record<string, 0>): Promise<JobDocument[]> {
    return this.collection
      .find(listFilter(queue, criteria), { projection })
      .sort(LIST_SORT)
      .skip(criteria.skip ?? 0)
      .limit(criteria.limit)
      .toArray();
  }

  /** The jobs of `queue` with these ids, reduced to `fields` (plus jobId). */
  async byJobIds<K extends keyof JobDocument>(queue: string, jobIds: readonly string[], fields: readonly K[]): Promise<Array<Pick<JobDocument, K | 'jobId'>>> {
    if (jobIds.length === 0) return [];
    const projection = Object.fromEntries([['_id', 0], ['jobId', 1], ...fields.map((f) => [f, 1])]);
    return this.collection.find({ queue, jobId: { $in: [...jobIds] } }, { projection }).toArray() as Promise<Array<Pick<JobDocument, K | 'jobId'>>>;
  }

  /** Which of these job ids exist (in any queue). */
  async existingJobIds(jobIds: readonly string[]): Promise<Set<string>> {
    if (jobIds.length === 0) return new Set();
    const docs = await this.collection.find({ jobId: { $in: [...jobIds] } }, { projection: { _id: 0, jobId: 1 } }).toArray();
    return new Set(docs.map((d) => d.jobId));
  }

  /** Jobs per (status, band) of one queue, with the earliest runAt of each (one aggregation). */
  async countByStatusAndBand(queue: string): Promise<Array<{ status: string; band: PriorityBand; n: number; oldestReady: Date | null }>> {
    const rows = await this.collection
      .aggregate<{ _id: { status: string; band: PriorityBand }; n: number; oldestReady: Date | null }>([
        { $match: { queue } },
        { $group: { _id: { status: '$status', band: '$band' }, n: { $sum: 1 }, oldestReady: { $min: '$runAt' } } },
      ])
      .toArray();
    return rows.map((row) => ({ status: row._id.status, band: row._id.band, n: row.n, oldestReady: row.oldestReady }));
  }

  /** Jobs per status of every queue whose name starts with `prefix` (one aggregation over the claim index prefix). */
  async countByQueueAndStatus(prefix: string): Promise<Map<string, Partial<Record<JobStatus, number>>>> {
    const rows = await this.collection
      .aggregate<{ _id: { queue: string; status: JobStatus }; n: number }>([
        { $match: { queue: { $regex: `^${escapeRegex(prefix)}` } } },
        { $group: { _id: { queue: '$queue', status: '$status' }, n: { $sum: 1 } } },
      ])
      .toArray();
    const counts = new Map<string, Partial<Record<JobStatus, number>>>();
    for (const row of rows) {
      const entry = counts.get(row._id.queue) ?? {};
      entry[row._id.status] = row.n;
      counts.set(row._id.queue, entry);
    }
    return counts;
  }

  /**
   * Counts of the window's completed jobs (the recent_completions index: a range of index keys) and
   * dead jobs (the claim index's queue and status prefix: bounded by the dead jobs retained), and
   * run times from the newest `sample` of each.
   */
  async finishedSince(queue: string, since: Date, sample: number): Promise<FinishedInWindow> {
    const completedFilter = { queue, status: Status.Completed, completedAt: { $gte: since } };
    const failedFilter = { queue, status: Status.Dead, failedAt: { $gte: since } };
    const projection = { _id: 0, processingAt: 1, completedAt: 1, failedAt: 1 };
    const [completed, failed, completedSample, failedSample] = await Promise.all([
      this.collection.countDocuments(completedFilter, { hint: JOB_INDEX.recentCompletions }),
      this.collection.countDocuments(failedFilter),
      this.collection.find(completedFilter, { projection }).hint(JOB_INDEX.recentCompletions).sort({ completedAt: -1 }).limit(sample).toArray(),
      this.collection.find(failedFilter, { projection }).sort({ failedAt: -1 }).limit(sample).toArray(),
    ]);
    const durations = [...completedSample.map((d) => runTime(d.processingAt, d.completedAt)), ...failedSample.map((d) => runTime(d.processingAt, d.failedAt))].filter(
      (ms): ms is number => ms !== null,
    );
    return { completed, failed, durations };
  }

  /** The collection's document count from its metadata (every queue sharing it; no scan). */
  async estimatedCount(): Promise<number> {
    return this.collection.estimatedDocumentCount();
  }

  get collectionName(): string {
    return this.collection.collectionName;
  }
}

function listFilter(queue: string, c: JobListCriteria): Filter<JobDocument> {
  const filter: Filter<JobDocument> = { queue };
  if (c.status) filter.status = c.status;
  if (c.type) filter.type = c.type;
  if (c.band) filter.band = c.band;
  if (c.minPriority !== undefined || c.maxPriority !== undefined) {
    filter.priority = { ...(c.minPriority !== undefined ? { $gte: c.minPriority } : {}), ...(c.maxPriority !== undefined ? { $lte: c.maxPriority } : {}) };
  }
  if (c.createdFrom || c.createdTo) {
    filter.createdAt = { ...(c.createdFrom ? { $gte: c.createdFrom } : {}), ...(c.createdTo ? { $lte: c.createdTo } : {}) };
  }
  if (c.after) {
    // Strictly after the previous page's last item in LIST_SORT order.
    filter.$or = [{ createdAt: { $lt: c.after.createdAt } }, { createdAt: c.after.createdAt, _id: { $lt: c.after.id } }];
  }
  return filter;
}

function runTime(startedAt: Date | null | undefined, endedAt: Date | null | undefined): number | null {
  if (!startedAt || !endedAt) return null;
  const ms = endedAt.getTime() - startedAt.getTime();
  // A job moved to the DLQ by hand before it ran carries an older processingAt or none: skip odd values.
  return ms >= 0 ? ms : null;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
