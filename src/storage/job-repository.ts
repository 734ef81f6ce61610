import type { Filter, Sort } from 'mongodb';
import { z } from 'zod';
import type { BatchCache } from '../cache/batch-cache';
import type { JobStatus } from '../domain/job-status';
import { JobStatus as Status } from '../domain/job-status';
import { InvalidJobOptionsError } from '../errors';
import { JOB_INDEX } from './job-model';
import { JobReads, type JobListCriteria, type ListedJob } from './job-reads';
import type { JobDocument, JobStore } from './job-store';
import type { TransitionResult } from './transition-result';

/** Fields a listing may sort by (1 ascending, -1 descending). */
const SORTABLE_FIELDS = ['priority', 'createdAt', 'updatedAt', 'runAt', 'orderKey', 'attempts', 'processingAt', 'completedAt', 'failedAt', 'jobId'] as const;
export type JobSortField = (typeof SORTABLE_FIELDS)[number];

export interface ListOptions {
  limit?: number;
  skip?: number;
  /**
   * Order of a listing by status, e.g. `{ priority: -1, createdAt: 1 }`. Without it, the order a
   * worker takes jobs in (priority, then ready order), which the claim index serves; another
   * order is sorted by MongoDB among the jobs of that status (keep `limit` small).
   */
  sort?: Partial<Record<JobSortField, 1 | -1>>;
}

const listOptionsSchema = z
  .object({
    limit: z.number().int().min(1).optional(),
    skip: z.number().int().min(0).optional(),
    sort: z.partialRecord(z.enum(SORTABLE_FIELDS), z.union([z.literal(1), z.literal(-1)])).optional(),
  })
  .strict();

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Jobs deleted per round trip by deleteMany (their ids also leave the Redis batches). */
const DELETE_CHUNK = 1000;
const CLAIM_ORDER: Sort = { priority: -1, orderKey: 1, _id: 1 };

/** Read access to the jobs of one queue, the admin's reschedule, and the development tool that clears them. */
export class JobRepository {
  private readonly reads: JobReads;

  constructor(
    private readonly store: JobStore,
    private readonly queue: string,
    private readonly cache?: BatchCache,
  ) {
    this.reads = new JobReads(store.collection);
  }

  /**
   * The job with this id: status, attempts / maxAttempts, createdAt, processingAt (when its last
   * run started; null before the first), completedAt, failedAt, history, errors, result.
   */
  async findByJobId(jobId: string): Promise<JobDocument | null> {
    const doc = await this.store.collection.findOne({ jobId, queue: this.queue });
    // Jobs written before their first run carry no processingAt field: read it as null.
    return doc ? { ...doc, processingAt: doc.processingAt ?? null } : null;
  }

  /** This queue's jobs matching `criteria`, newest first, without their audit arrays (admin listings). */
  async list(criteria: JobListCriteria): Promise<ListedJob[]> {
    return this.reads.list(this.queue, criteria);
  }

  /** As list, with each job's history and errors. */
  async listWithAudit(criteria: JobListCriteria): Promise<JobDocument[]> {
    return this.reads.listWithAudit(this.queue, criteria);
  }

  /** This queue's jobs with these ids, reduced to `fields` (plus jobId). */
  async findByJobIds<K extends keyof JobDocument>(jobIds: readonly string[], fields: readonly K[]): Promise<Array<Pick<JobDocument, K | 'jobId'>>> {
    return this.reads.byJobIds(this.queue, jobIds, fields);
  }

  /** Jobs in a status, in the order a worker would take them unless `sort` says otherwise. */
  async getJobsByStatus(status: JobStatus, options: ListOptions = {}): Promise<JobDocument[]> {
    const opts = parseListOptions(options);
    return this.store.collection
      .find({ queue: this.queue, status })
      .sort(sortOf(opts))
      .skip(opts.skip ?? 0)
      .limit(clampLimit(opts.limit))
      .toArray();
  }

  /** Waiting jobs (scheduled, pending, batched) with a priority in [min, max]. */
  async getJobsByPriority(min: number, max: number = min, options: ListOptions = {}): Promise<JobDocument[]> {
    const opts = parseListOptions(options);
    return this.store.collection
      .find({ queue: this.queue, status: { $in: [Status.Scheduled, Status.Pending, Status.Batched] }, priority: { $gte: min, $lte: max } })
      .sort(sortOf(opts))
      .skip(opts.skip ?? 0)
      .limit(clampLimit(opts.limit))
      .toArray();
  }

  /**
   * Scheduled (delayed) jobs, soonest first: with `after`, those still delayed at that time
   * (runAt > after; `new Date()`: the jobs whose delay has not run out, which is what rescheduling
   * pushes back); without it, every scheduled job, including due ones the scheduler has not yet
   * released.
   */
  async getScheduledJobs(options?: Omit<ListOptions, 'sort'>): Promise<JobDocument[]>;
  async getScheduledJobs(after: Date, options?: Omit<ListOptions, 'sort'>): Promise<JobDocument[]>;
  async getScheduledJobs(afterOrOptions?: Date | Omit<ListOptions, 'sort'>, maybeOptions: Omit<ListOptions, 'sort'> = {}): Promise<JobDocument[]> {
    const after = afterOrOptions instanceof Date ? afterOrOptions : undefined;
    const opts = parseListOptions(afterOrOptions instanceof Date ? maybeOptions : (afterOrOptions ?? {}));
    const filter: Filter<JobDocument> = { queue: this.queue, status: Status.Scheduled };
    if (after) filter.runAt = { $gt: after };
    return this.store.collection
      .find(filter)
      .hint(JOB_INDEX.scheduleScan)
      .sort({ runAt: 1, _id: 1 })
      .skip(opts.skip ?? 0)
      .limit(clampLimit(opts.limit))
      .toArray();
  }

  /**
   * Jobs that completed and jobs that died (failed for good) per minute since `since`, oldest
   * minute first; minutes with neither are left out. `minute` is epoch ms of the minute's start.
   */
  async finishedPerMinute(since: Date): Promise<Array<{ minute: number; completed: number; failed: number }>> {
    const perMinute = (field: '$completedAt' | '$failedAt') => ({ $multiply: [{ $floor: { $divide: [{ $subtract: [field, new Date(0)] }, 60_000] } }, 60_000] });
    const count = async (status: JobStatus, field: 'completedAt' | 'failedAt') =>
      this.store.collection
        .aggregate<{ _id: number; n: number }>([
          { $match: { queue: this.queue, status, [field]: { $gte: since } } },
          { $group: { _id: perMinute(`$${field}`), n: { $sum: 1 } } },
        ])
        .toArray();
    const [completed, failed] = await Promise.all([count(Status.Completed, 'completedAt'), count(Status.Dead, 'failedAt')]);
    const minutes = new Map<number, { minute: number; completed: number; failed: number }>();
    const at = (minute: number) => {
      const row = minutes.get(minute) ?? { minute, completed: 0, failed: 0 };
      minutes.set(minute, row);
      return row;
    };
    for (const row of completed) at(row._id).completed = row.n;
    for (const row of failed) at(row._id).failed = row.n;
    return [...minutes.values()].sort((a, b) => a.minute - b.minute);
  }

  /** Moves a waiting job to a new time; running or finished jobs are refused (a typed miss). */
  async rescheduleJob(jobId: string, runAt: Date, by = 'api'): Promise<TransitionResult<JobDocument>> {
    return this.store.reschedule(this.queue, jobId, runAt, by, new Date());
  }

  /**
   * Deletes this queue's jobs that match `filter` (`{}`: all of them) and returns how many. The
   * filter is ANDed with this queue's name, so it can never reach another queue's jobs. Deleted
   * ids also leave the Redis batches (with Redis down they stay there until their TTL; a worker
   * that pops one finds no job and moves on). A development and test tool: a running job's
   * worker loses its job mid-run.
   */
  async deleteMany(filter: Filter<JobDocument> = {}): Promise<number> {
    const scoped: Filter<JobDocument> = { $and: [filter, { queue: this.queue }] };
    let deleted = 0;
    for (;;) {
      const ids = (await this.store.collection.find(scoped, { projection: { jobId: 1 } }).limit(DELETE_CHUNK).toArray()).map((d) => d.jobId);
      if (ids.length === 0) return deleted;
      // The filter holds at delete time too: a job that changed meanwhile is spared if it no longer matches.
      const result = await this.store.collection.deleteMany({ $and: [scoped, { jobId: { $in: ids } }] });
      deleted += result.deletedCount;
      await this.cache?.remove(ids).catch(() => undefined);
      if (ids.length < DELETE_CHUNK) return deleted;
    }
  }
}

function parseListOptions(options: ListOptions): ListOptions {
  const parsed = listOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new InvalidJobOptionsError(parsed.error.issues.map((i) => `list options ${i.path.join('.') || '(root)'}: ${i.message}`));
  return parsed.data as ListOptions;
}

function sortOf(options: ListOptions): Sort {
  if (!options.sort || Object.keys(options.sort).length === 0) return CLAIM_ORDER;
  // _id last: equal keys still come back in one stable order across pages.
  return { ...options.sort, _id: 1 } as Sort;
}

function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, limit ?? DEFAULT_LIMIT), MAX_LIMIT);
}
