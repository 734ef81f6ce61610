import type { JobStatus } from '../domain/job-status';
import { JobStatus as Status } from '../domain/job-status';
import { JOB_INDEX } from './job-model';
import type { JobDocument, JobStore } from './job-store';
import type { TransitionResult } from './transition-result';

export interface ListOptions {
  limit?: number;
  skip?: number;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** Read access to the jobs of one queue, plus the admin's reschedule. */
export class JobRepository {
  constructor(
    private readonly store: JobStore,
    private readonly queue: string,
  ) {}

  async findByJobId(jobId: string): Promise<JobDocument | null> {
    return this.store.collection.findOne({ jobId });
  }

  /** Jobs in a status, in the order a worker would take them. */
  async getJobsByStatus(status: JobStatus, options: ListOptions = {}): Promise<JobDocument[]> {
    return this.store.collection
      .find({ queue: this.queue, status })
      .sort({ priority: -1, orderKey: 1, _id: 1 })
      .skip(options.skip ?? 0)
      .limit(clampLimit(options.limit))
      .toArray();
  }

  /** Waiting jobs (scheduled, pending, batched) with a priority in [min, max]. */
  async getJobsByPriority(min: number, max: number = min, options: ListOptions = {}): Promise<JobDocument[]> {
    return this.store.collection
      .find({ queue: this.queue, status: { $in: [Status.Scheduled, Status.Pending, Status.Batched] }, priority: { $gte: min, $lte: max } })
      .sort({ priority: -1, orderKey: 1, _id: 1 })
      .skip(options.skip ?? 0)
      .limit(clampLimit(options.limit))
      .toArray();
  }

  /** Scheduled jobs, soonest first. */
  async getScheduledJobs(options: ListOptions = {}): Promise<JobDocument[]> {
    return this.store.collection
      .find({ queue: this.queue, status: Status.Scheduled })
      .hint(JOB_INDEX.scheduleScan)
      .sort({ runAt: 1, _id: 1 })
      .skip(options.skip ?? 0)
      .limit(clampLimit(options.limit))
      .toArray();
  }

  /** Moves a waiting job to a new time; running or finished jobs are refused (a typed miss). */
  async rescheduleJob(jobId: string, runAt: Date, by = 'api'): Promise<TransitionResult<JobDocument>> {
    return this.store.reschedule(jobId, runAt, by, new Date());
  }
}

function clampLimit(limit: number | undefined): number {
  return Math.min(Math.max(1, limit ?? DEFAULT_LIMIT), MAX_LIMIT);
}
