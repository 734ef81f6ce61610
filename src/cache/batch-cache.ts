import type Redis from 'ioredis';
import { BANDS_IN_ORDER, type PriorityBand } from '../domain/priority-band';
import { isUnknownCommand, popBandsWithScript, popModeOf, useScriptPop, type PopMode } from './band-pop-script';
import type { RedisKeys } from './redis-keys';

/**
 * The Redis batch cache: one sorted set of ready job ids per priority band.
 *
 * State machine of an id (MongoDB stays the source of truth; Redis only accelerates):
 *   absent ──push (addJob, loader)──▶ cached ──pop (ZMPOP/BZMPOP, band order)──▶ taken by one worker
 *   cached ──key TTL / flush / restart──▶ absent   (the job is still pending/batched in MongoDB;
 *                                                  the loader and the sweeper bring it back)
 *   cached ──loader renewal──▶ cached              (key TTL and the jobs' batchedUntil start again)
 * Renewal: each band has a renewal mark (bandRenewal key) that lives cache.refreshThreshold of
 * batch.ttl. When it is gone (the batch aged, or Redis lost everything), the loader renews the
 * band: ids still cached keep their batch for another batch.ttl; batched jobs whose ids are absent
 * (lost with Redis, or popped by a worker that never claimed them) return to pending at once, so
 * no recovery waits for batch.ttl. With Redis down the sweeper returns the queue's batched jobs.
 * A popped id may be stale (claimed straight from MongoDB meanwhile, cancelled): the worker's
 * guarded claim then misses and it moves on. Pushing an id twice is harmless (a set).
 * Servers without ZMPOP/BZMPOP (Redis 6.2, or the commands renamed away), found out at connect with
 * COMMAND INFO: the pop is a script (band-pop-script), and a push also appends wake-up tokens to a
 * list that an idle worker waits on with BLPOP (tokens persist, so a push between the worker's
 * empty pop and its BLPOP still wakes it; a stale token costs one empty pop).
 *
 * Score = (maxPriority − priority) · 2^46 + compact(orderKey), lowest first: higher priority first,
 * then ready order. orderKey is ms·64 (+ a counter, see storage/order-key) since 1970, negated for LIFO; `compact`
 * removes the unused span before ORDER_EPOCH on both signs (monotonic for every key made after
 * it), leaving |compact| < 2^45 until 2042. The score stays exact in a double (2^53) for
 * priorities up to 127; wider ranges still sort by priority, with coarser ties.
 */
export interface CachedJob {
  jobId: string;
  priority: number;
  orderKey: number;
  band: PriorityBand;
}

const ORDER_SPAN = 2 ** 46;
/** Wake-up tokens kept at most (one per pushed id wakes as many idle workers). */
const MAX_WAKE_TOKENS = 64;
const ORDER_OFFSET = 2 ** 45;
/** 2025-01-01T00:00:00Z in orderKey units (ms · 64): no job's ready time is older. */
const ORDER_EPOCH = Date.UTC(2025, 0, 1) * 64;

function compactOrderKey(orderKey: number): number {
  return orderKey >= 0 ? orderKey - ORDER_EPOCH : orderKey + ORDER_EPOCH;
}

export class BatchCache {
  private readonly bandKeys: string[];

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly maxPriority: number,
    private readonly ttlMs: number,
  ) {
    this.bandKeys = BANDS_IN_ORDER.map((band) => keys.band(band));
  }

  /** 'mpop' (Redis 7's ZMPOP/BZMPOP) or 'script' (the fallback), as the server answered at connect. */
  popMode(): Promise<PopMode> {
    return popModeOf(this.redis);
  }

  score(job: Pick<CachedJob, 'priority' | 'orderKey'>): number {
    return (this.maxPriority - job.priority) * ORDER_SPAN + (compactOrderKey(job.orderKey) + ORDER_OFFSET);
  }

  /** Adds ids to their bands and refreshes the bands' TTL, in one round trip. */
  async push(jobs: CachedJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const byBand = new Map<PriorityBand, Array<string | number>>();
    for (const job of jobs) {
      const args = byBand.get(job.band) ?? [];
      args.push(this.score(job), job.jobId);
      byBand.set(job.band, args);
    }
    const wakeTokens = (await this.popMode()) === 'script' ? Math.min(jobs.length, MAX_WAKE_TOKENS) : 0;
    const pipeline = this.redis.pipeline();
    for (const [band, args] of byBand) {
      const key = this.keys.band(band);
      pipeline.zadd(key, ...args);
      pipeline.pexpire(key, this.ttlMs);
    }
    if (wakeTokens > 0) {
      const wake = this.keys.wake();
      pipeline.rpush(wake, ...Array.from({ length: wakeTokens }, () => '1'));
      pipeline.ltrim(wake, -MAX_WAKE_TOKENS, -1);
      pipeline.pexpire(wake, this.ttlMs);
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  /** Pops up to `count` ids from the highest non-empty band, best first; [] when every band is empty. */
  async pop(count: number): Promise<string[]> {
    if ((await this.popMode()) === 'script') return popBandsWithScript(this.redis, this.bandKeys, count);
    try {
      return idsFromMpop(await this.redis.call('ZMPOP', this.bandKeys.length, ...this.bandKeys, 'MIN', 'COUNT', count));
    } catch (error) {
      if (!isUnknownCommand(error)) throw error;
      // The server changed under the connection (a failover to an older node): use the fallback from now on.
      useScriptPop(this.redis);
      return popBandsWithScript(this.redis, this.bandKeys, count);
    }
  }

  /**
   * Like pop, but waits up to `timeoutMs` for an id to arrive (a new job wakes the worker in
   * milliseconds). Needs a connection of its own: it blocks the connection while waiting.
   */
  async popBlocking(blockingClient: Redis, count: number, timeoutMs: number): Promise<string[]> {
    const seconds = Math.max(0.01, timeoutMs / 1000).toFixed(3);
    if ((await this.popMode()) === 'mpop') {
      const reply = await blockingClient.call('BZMPOP', seconds, this.bandKeys.length, ...this.bandKeys, 'MIN', 'COUNT', count);
      return idsFromMpop(reply);
    }
    const ids = await this.pop(count);
    if (ids.length > 0) return ids;
    await blockingClient.blpop(this.keys.wake(), seconds);
    return this.pop(count);
  }

  /** Ids per band (for stats and the loader's refresh decision). */
  async sizes(): Promise<Record<PriorityBand, number>> {
    const pipeline = this.redis.pipeline();
    for (const key of this.bandKeys) pipeline.zcard(key);
    const results = (await pipeline.exec()) ?? [];
    const sizes = {} as Record<PriorityBand, number>;
    BANDS_IN_ORDER.forEach((band, i) => {
      const [error, value] = results[i] ?? [null, 0];
      if (error) throw error;
      sizes[band] = Number(value ?? 0);
    });
    return sizes;
  }

  /** Bands whose renewal mark has lapsed (or never was set), in the order given. */
  async renewalDue(bands: readonly PriorityBand[]): Promise<PriorityBand[]> {
    if (bands.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const band of bands) pipeline.exists(this.keys.bandRenewal(band));
    const results = (await pipeline.exec()) ?? [];
    return bands.filter((_band, i) => {
      const [error, value] = results[i] ?? [null, 0];
      if (error) throw error;
      return Number(value) === 0;
    });
  }

  /** Which of `jobIds` the band holds (ZMSCORE), position by position. */
  async holds(band: PriorityBand, jobIds: string[]): Promise<boolean[]> {
    if (jobIds.length === 0) return [];
    const scores = (await this.redis.call('ZMSCORE', this.keys.band(band), ...jobIds)) as Array<string | null>;
    return scores.map((score) => score !== null);
  }

  /** Restarts the band's TTL and sets its renewal mark to lapse after `renewAfterMs`. */
  async renewed(band: PriorityBand, renewAfterMs: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    pipeline.pexpire(this.keys.band(band), this.ttlMs);
    pipeline.set(this.keys.bandRenewal(band), String(Date.now()), 'PX', Math.max(1, Math.round(renewAfterMs)));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async remove(jobIds: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of this.bandKeys) pipeline.zrem(key, ...jobIds);
    await pipeline.exec();
  }
}

/** ZMPOP/BZMPOP reply: null, or [key, [[member, score], ...]]. */
function idsFromMpop(reply: unknown): string[] {
  if (!Array.isArray(reply) || reply.length < 2 || !Array.isArray(reply[1])) return [];
  return (reply[1] as unknown[]).map((pair) => String(Array.isArray(pair) ? pair[0] : pair));
}
