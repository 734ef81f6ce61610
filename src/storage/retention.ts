import { JobStatus } from '../domain/job-status';
import { DlqSeverity } from '../domain/dlq-record';
import type { PruneOptions, PruneOutcome, RetentionRule } from '../domain/retention-rule';
import type { DlqStore } from './dlq-store';
import type { JobStore } from './job-store';

/**
 * Whether a job that finished at `finishedAt` is past a retention age: the one rule every backend
 * applies (MongoDB through pruneFinishedJobs, the in-memory backend on its own lists).
 */
export function pastRetention(finishedAt: number, now: number, maxAgeMs: number): boolean {
  return finishedAt <= now - maxAgeMs;
}

/**
 * Retention of one queue's finished jobs in MongoDB: completed jobs past their age or beyond the
 * newest `completedMaxCount`, dead jobs past theirs (never one whose DLQ entry is still being
 * written).
 */
export async function pruneFinishedJobs(store: JobStore, queue: string, rule: RetentionRule, now: Date, options: PruneOptions = {}): Promise<PruneOutcome> {
  const jobs = store.collection;
  const byAge = { queue, status: JobStatus.Completed, completedAt: { $lte: new Date(now.getTime() - rule.completedMaxAgeMs) } };
  const failedFilter = { queue, status: JobStatus.Dead, failedAt: { $lte: new Date(now.getTime() - rule.failedMaxAgeMs) }, dlqPending: { $ne: true } };
  let completed = options.dryRun ? await jobs.countDocuments(byAge) : (await jobs.deleteMany(byAge)).deletedCount;
  const beyond = await jobs
    .find({ queue, status: JobStatus.Completed }, { projection: { _id: 1 } })
    .sort({ completedAt: -1, _id: -1 })
    .skip(rule.completedMaxCount)
    .limit(options.limit ?? 100_000)
    .toArray();
  if (beyond.length > 0) completed += options.dryRun ? beyond.length : (await jobs.deleteMany({ _id: { $in: beyond.map((d) => d._id) } })).deletedCount;
  const failed = options.dryRun ? await jobs.countDocuments(failedFilter) : (await jobs.deleteMany(failedFilter)).deletedCount;
  return { completed, failed };
}

/**
 * Retention of one queue's DLQ entries moved before `before`; unreviewed critical entries are
 * spared unless `includeCritical` (a TTL index could not make that exception).
 */
export async function pruneDeadLetters(dlqStore: DlqStore, queue: string, before: Date, options: PruneOptions & { includeCritical?: boolean } = {}): Promise<number> {
  const filter: Record<string, unknown> = { queue, movedAt: { $lt: before } };
  if (!options.includeCritical) filter.$nor = [{ severity: DlqSeverity.Critical, review: null }];
  return options.dryRun ? dlqStore.collection.countDocuments(filter) : (await dlqStore.collection.deleteMany(filter)).deletedCount;
}
