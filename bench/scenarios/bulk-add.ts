/**
 * 2. Bulk add: `addJobs` in chunks of 1,000 vs BullMQ `addBulk` in chunks of 1,000.
 */
import type { QueueManager } from '../../src/manager/queue-manager';
import type { Queue } from 'bullmq';
import { NOOP_TYPE, type BenchContext } from './context';
import { nowMs, round } from './measure';
import { queueSide, type Scenario } from './scenario';

export const CHUNK = 1_000;
const MAX_MS = 60_000;

export interface BulkResult {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
}

/** Adds `jobs` no-op jobs in chunks of 1,000 (bounded by `maxMs`); used by the processing scenarios too. */
export async function bulkAddQueue(manager: QueueManager, jobs: number, maxMs = MAX_MS): Promise<BulkResult> {
  return chunked(jobs, maxMs, (from, to) => manager.addJobs(range(from, to).map((n) => ({ type: NOOP_TYPE, data: { n } }))));
}

export async function bulkAddBull(queue: Queue, jobs: number, maxMs = MAX_MS): Promise<BulkResult> {
  return chunked(jobs, maxMs, (from, to) => queue.addBulk(range(from, to).map((n) => ({ name: NOOP_TYPE, data: { n } }))));
}

async function chunked(jobs: number, maxMs: number, addChunk: (from: number, to: number) => Promise<unknown>): Promise<BulkResult> {
  const t0 = nowMs();
  let added = 0;
  while (added < jobs && nowMs() - t0 < maxMs) {
    const to = Math.min(jobs, added + CHUNK);
    await addChunk(added, to);
    added = to;
  }
  const seconds = (nowMs() - t0) / 1000;
  return { jobs: added, seconds: round(seconds), jobsPerSecond: round(added / seconds, 1) };
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i += 1) out.push(i);
  return out;
}

export const bulkAddScenario: Scenario = {
  name: 'bulk',
  title: '2. Bulk add',
  async run(ctx: BenchContext) {
    const jobs = ctx.settings.jobs;
    const details: Record<string, unknown> = { jobs, chunk: CHUNK };

    const queue = await queueSide(ctx, details, async () => {
      const manager = await ctx.newManager('bulk');
      try {
        await bulkAddQueue(manager, CHUNK); // warm-up chunk (not counted)
        return await bulkAddQueue(manager, jobs);
      } finally {
        await ctx.disposeManager(manager);
      }
    });

    const bullQueue = ctx.newBullQueue('bulk');
    let bull: BulkResult;
    try {
      await bullQueue.waitUntilReady();
      await bulkAddBull(bullQueue, CHUNK);
      bull = await bulkAddBull(bullQueue, jobs);
    } finally {
      await ctx.disposeBullQueue(bullQueue);
    }

    details.queue = queue;
    details.bullmq = bull;
    const note = queue && queue.jobs < jobs ? `queue reached ${queue.jobs} jobs in the time cap` : undefined;
    return {
      details,
      figures: [{ scenario: 'bulk', metric: `bulk add jobs/s (${jobs.toLocaleString('en-US')} in chunks of 1,000)`, unit: '/s', queue: queue?.jobsPerSecond ?? null, bullmq: bull.jobsPerSecond, better: 'higher', note }],
    };
  },
};
