import { ALL_JOB_STATUSES, JobStatus } from '../domain/job-status';
import { BANDS_IN_ORDER, type PriorityBand } from '../domain/priority-band';
import type { BatchCache } from '../cache/batch-cache';
import type { JobReads } from '../storage/job-reads';
import type { CacheCounters } from './cache-counters';

export type StatusCounts = Record<(typeof ALL_JOB_STATUSES)[number], number>;

export interface QueueStats {
  queue: string;
  scheduled: number;
  pending: number;
  batched: number;
  processing: number;
  completed: number;
  /** Jobs that ended failed (status dead: exhausted or permanent). */
  failed: number;
  dead: number;
  cancelled: number;
  total: number;
  byBand: Record<PriorityBand, StatusCounts>;
  /** Age in ms of the oldest ready (pending or batched) job per band: the autoscaling signal. */
  oldestReadyAgeMs: Record<PriorityBand, number | null>;
  /**
   * The Redis batches. A batch is what the loader moves from MongoDB into Redis at once: up to
   * `batch.size` ready jobs per band; workers take ids from it without querying MongoDB.
   */
  batchInfo: {
    /** Job ids in the Redis batches right now, all bands (null while Redis is unreachable). */
    currentBatch: number | null;
    /**
     * Batches of `batch.size` the ready jobs (pending + batched) fill, the current one included:
     * how many loads it takes to run the ready backlog. 0 when nothing is ready.
     */
    totalBatches: number;
    /** Share of this process's claims served from a Redis batch, 0–1 (1 before any claim). */
    cacheHitRate: number;
    /** Batches this process's loader moved into Redis since it started. */
    batchesLoaded: number;
    /** `batch.size`: the most ids one load moves per band. */
    batchSize: number;
    cachedByBand: Record<PriorityBand, number> | null;
  };
}

function emptyCounts(): StatusCounts {
  return Object.fromEntries(ALL_JOB_STATUSES.map((s) => [s, 0])) as StatusCounts;
}

/** Counts by status and band in one aggregation, plus the Redis side. */
export async function collectQueueStats(
  queue: string,
  reads: JobReads,
  cache: BatchCache,
  redisUsable: boolean,
  counters: CacheCounters,
  batchesLoaded: number,
  batchSize: number,
): Promise<QueueStats> {
  const now = Date.now();
  const rows = await reads.countByStatusAndBand(queue);
  const totals = emptyCounts();
  const byBand = Object.fromEntries(BANDS_IN_ORDER.map((b) => [b, emptyCounts()])) as Record<PriorityBand, StatusCounts>;
  const oldestReadyAgeMs = Object.fromEntries(BANDS_IN_ORDER.map((b) => [b, null])) as Record<PriorityBand, number | null>;
  for (const row of rows) {
    const status = row.status as keyof StatusCounts;
    if (!(status in totals)) continue;
    totals[status] += row.n;
    if (byBand[row.band]) byBand[row.band][status] += row.n;
    if ((status === JobStatus.Pending || status === JobStatus.Batched) && row.oldestReady) {
      const age = Math.max(0, now - new Date(row.oldestReady).getTime());
      const prev = oldestReadyAgeMs[row.band];
      oldestReadyAgeMs[row.band] = prev === null ? age : Math.max(prev, age);
    }
  }
  let cachedByBand: Record<PriorityBand, number> | null = null;
  if (redisUsable) {
    try {
      cachedByBand = await cache.sizes();
    } catch {
      cachedByBand = null;
    }
  }
  return {
    queue,
    ...totals,
    failed: totals.dead,
    total: Object.values(totals).reduce((a, b) => a + b, 0),
    byBand,
    oldestReadyAgeMs,
    batchInfo: {
      currentBatch: cachedByBand ? Object.values(cachedByBand).reduce((a, b) => a + b, 0) : null,
      totalBatches: Math.ceil((totals.pending + totals.batched) / Math.max(1, batchSize)),
      cacheHitRate: counters.hitRate,
      batchesLoaded,
      batchSize,
      cachedByBand,
    },
  };
}

/** BullMQ-style counts: waiting, active, completed, failed, delayed. */
export interface QueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export function countsOf(stats: QueueStats): QueueCounts {
  return { waiting: stats.pending + stats.batched, active: stats.processing, completed: stats.completed, failed: stats.dead, delayed: stats.scheduled };
}
