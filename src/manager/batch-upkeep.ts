import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import { bandRanges } from '../config/config-aliases';
import { batchRefreshAfterMs, batchTtlMs } from '../config/durations';
import type { JobRecord } from '../domain/job-record';
import { bandOf, type PriorityBand } from '../domain/priority-band';
import type { BatchCache } from '../cache/batch-cache';
import type { JobStore } from '../storage/job-store';

/** Batched jobs read per band and renewal; a band with more is renewed again after LOST_GRACE_MS. */
const RENEW_LIMIT = 5_000;
/**
 * A batched job absent from Redis for less than this may be one a worker has just popped and is
 * claiming (milliseconds apart): it is left alone for now and the band looked at again after this
 * long. Returning it early would still be safe (claims take pending jobs too), only noisier.
 */
const LOST_GRACE_MS = 2_000;

export interface UpkeepResult {
  renewed: number;
  lost: number;
}

/**
 * Keeps the Redis batches and their MongoDB `batched` status in step (see the state machine in
 * src/cache/batch-cache.ts): renews bands whose batch has aged past cache.refreshThreshold of
 * batch.ttl, and returns to pending the batched jobs Redis no longer holds, so that neither a
 * Redis flush or restart nor an outage makes a job wait for its batch to run out.
 */
export class BatchUpkeep {
  constructor(
    private readonly deps: { config: QueueConfig; store: JobStore; cache: BatchCache; logger: Logger },
  ) {}

  /** Renews every band in `bands` whose renewal mark has lapsed (one MongoDB read for all). */
  async renewDue(bands: readonly PriorityBand[]): Promise<UpkeepResult> {
    const { config, store, cache } = this.deps;
    const due = await cache.renewalDue(bands);
    if (due.length === 0) return { renewed: 0, lost: 0 };
    const levels = bandRanges(config.batch.priorityLevels);
    const span = { min: Math.min(...due.map((b) => levels[b].min)), max: Math.max(...due.map((b) => levels[b].max)) };
    const batched = await store.findBatched(config.name, span, RENEW_LIMIT);
    const truncated = batched.length === RENEW_LIMIT;
    const results = await Promise.all(
      due.map((band) => this.renewBand(band, batched.filter((job) => bandOf(job.priority, levels) === band), truncated)),
    );
    const total = results.reduce((sum, r) => ({ renewed: sum.renewed + r.renewed, lost: sum.lost + r.lost }), { renewed: 0, lost: 0 });
    if (total.lost > 0) this.deps.logger.info({ lost: total.lost, renewed: total.renewed }, 'batched jobs missing from redis returned to pending');
    return total;
  }

  private async renewBand(band: PriorityBand, batched: ReadonlyArray<Pick<JobRecord, 'jobId' | 'batchedUntil'>>, truncated: boolean): Promise<UpkeepResult> {
    const { config, store, cache } = this.deps;
    if (batched.length === 0) {
      await cache.renewed(band, truncated ? LOST_GRACE_MS : batchRefreshAfterMs(config));
      return { renewed: 0, lost: 0 };
    }
    const ttlMs = batchTtlMs(config);
    const held = await cache.holds(band, batched.map((job) => job.jobId));
    const now = Date.now();
    // batchedUntil − ttl is when the job was loaded (or last renewed).
    const settledBefore = now + ttlMs - LOST_GRACE_MS;
    const kept: string[] = [];
    const lost: string[] = [];
    let recent = 0;
    batched.forEach((job, i) => {
      if (held[i]) kept.push(job.jobId);
      else if ((job.batchedUntil?.getTime() ?? 0) <= settledBefore) lost.push(job.jobId);
      else recent += 1;
    });
    const at = new Date(now);
    const [renewed, returned] = await Promise.all([
      store.renewBatched(kept, new Date(now + ttlMs), at),
      store.returnLostBatches({ jobIds: lost }, 'loader', 'batch lost from redis', at),
    ]);
    await cache.renewed(band, recent > 0 || truncated ? LOST_GRACE_MS : batchRefreshAfterMs(config));
    return { renewed, lost: returned };
  }

  /** With Redis unreachable its batches cannot be taken: the queue's batched jobs return to pending (workers claim them from MongoDB). */
  async releaseWhileRedisDown(): Promise<number> {
    return this.deps.store.returnLostBatches({ queue: this.deps.config.name }, 'sweeper', 'redis unavailable', new Date());
  }
}
