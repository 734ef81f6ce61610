import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import { bandRanges } from '../config/config-aliases';
import { batchRefreshAfterMs, batchTtlMs } from '../config/durations';
import type { PriorityBand } from '../domain/priority-band';
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

  /** Under the loader lock: renews every band in `bands` whose renewal mark has lapsed. */
  async renewDue(bands: readonly PriorityBand[]): Promise<UpkeepResult> {
    const due = await this.deps.cache.renewalDue(bands);
    const total: UpkeepResult = { renewed: 0, lost: 0 };
    for (const band of due) {
      const result = await this.renewBand(band);
      total.renewed += result.renewed;
      total.lost += result.lost;
    }
    if (total.lost > 0) this.deps.logger.info({ lost: total.lost, renewed: total.renewed }, 'batched jobs missing from redis returned to pending');
    return total;
  }

  private async renewBand(band: PriorityBand): Promise<UpkeepResult> {
    const { config, store, cache } = this.deps;
    const ttlMs = batchTtlMs(config);
    const batched = await store.findBatched(config.name, bandRanges(config.batch.priorityLevels)[band], RENEW_LIMIT);
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
    const renewed = await store.renewBatched(kept, new Date(now + ttlMs), at);
    const returned = await store.returnLostBatches({ jobIds: lost }, 'loader', 'batch lost from redis', at);
    const again = recent > 0 || batched.length === RENEW_LIMIT;
    await cache.renewed(band, again ? LOST_GRACE_MS : batchRefreshAfterMs(config));
    return { renewed, lost: returned };
  }

  /** With Redis unreachable its batches cannot be taken: the queue's batched jobs return to pending (workers claim them from MongoDB). */
  async releaseWhileRedisDown(): Promise<number> {
    return this.deps.store.returnLostBatches({ queue: this.deps.config.name }, 'sweeper', 'redis unavailable', new Date());
  }
}
