import type Redis from 'ioredis';
import { ReplyError } from 'ioredis';
import type { Connection } from 'mongoose';
import type { BatchCache } from '../cache/batch-cache';
import type { FinishedInWindow } from '../storage/job-reads';

export type HealthState = 'healthy' | 'degraded' | 'unhealthy';

export interface MongoHealth {
  status: 'connected' | 'disconnected';
  /** Round trip of a ping in ms (null when disconnected). */
  latency: number | null;
  /**
   * The queue's collections and how many documents each holds (MongoDB's count from collection
   * metadata: every queue sharing the collection, read without a scan). Per-queue counts are in
   * getQueueStats(). Null when they could not be read in time.
   */
  collections: Record<string, number> | null;
  error?: string;
}

export interface RedisHealth {
  status: 'connected' | 'disconnected';
  /** Round trip of a PING in ms (null when disconnected). */
  latency: number | null;
  /** The Redis database number the queue uses. */
  database: number;
  /** Bytes Redis uses (`used_memory` of INFO memory); null when unreadable. */
  memory: number | null;
  error?: string;
}

export interface CacheHealth {
  /** operational: workers take ids from the Redis batches; degraded: they claim from MongoDB. */
  status: 'operational' | 'degraded';
  /** Share of this process's claims served from a Redis batch, 0–1. */
  hitRate: number;
  /** Job ids in the Redis batches now, all bands (null while Redis is unreachable). */
  entries: number | null;
}

/**
 * Jobs of this queue that finished within the last `windowMinutes`: completed, or failed for
 * good (dead). With none finished: 0 ms, 0 per minute, success rate 1.
 */
export interface PerformanceHealth {
  /** Mean run time of the window's finished jobs, ms (from the start of the last attempt to its end). */
  avgProcessingTime: number;
  /** Jobs completed per minute over the window. */
  throughputPerMinute: number;
  /** completed / (completed + failed) over the window, 0–1. */
  successRate: number;
  windowMinutes: number;
  completed: number;
  failed: number;
  /** Set when the figures could not be read (MongoDB down or too slow): they then read as zero. */
  error?: string;
}

/** One input to `overall`; the worst verdict wins. */
export interface HealthVerdict {
  component: string;
  state: HealthState;
  reason?: string;
}

export interface HealthReport {
  overall: HealthState;
  /** Why `overall` is not healthy (empty when it is). */
  issues: string[];
  timestamp: Date;
  mongodb: MongoHealth;
  redis: RedisHealth;
  cache: CacheHealth;
  performance: PerformanceHealth;
}

export interface HealthSources {
  queue: string;
  connection: Connection;
  /** The queue's finished jobs in a window (performance figures). */
  finishedSince(since: Date, sample: number): Promise<FinishedInWindow>;
  /** Collections whose document counts `mongodb.collections` reports, each with its metadata count. */
  collections: ReadonlyArray<{ name: string; estimatedCount(): Promise<number> }>;
  redis: Redis;
  redisDatabase: number;
  cache: BatchCache;
  hitRate: number;
  /** Each probe's deadline: a component that does not answer in time counts as down. */
  timeoutMs: number;
  /** The window `performance` covers. */
  windowMs: number;
}

/** Durations averaged per outcome: the newest this many finished jobs of the window. */
const DURATION_SAMPLE = 500;

const STATE_RANK: Record<HealthState, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export function overallOf(verdicts: readonly HealthVerdict[]): { overall: HealthState; issues: string[] } {
  let overall: HealthState = 'healthy';
  for (const verdict of verdicts) if (STATE_RANK[verdict.state] > STATE_RANK[overall]) overall = verdict.state;
  const issues = verdicts.filter((v) => v.state !== 'healthy').map((v) => `${v.component}: ${v.reason ?? v.state}`);
  return { overall, issues };
}

/**
 * MongoDB down: unhealthy (nothing can be recorded). Redis down: degraded (workers claim from
 * MongoDB). Every probe runs under its own deadline (MongoDB's reads after its ping, the rest in
 * parallel), so the answer takes at most about 2 × `timeoutMs`. Another input to `overall` is
 * one more verdict in the list.
 */
export async function checkHealth(sources: HealthSources): Promise<HealthReport> {
  const { timeoutMs } = sources;
  const redisReady = () => {
    if (sources.redis.status !== 'ready') throw new Error(`connection ${sources.redis.status}`);
  };
  const mongoSide = async () => {
    const ping = await timed(async () => {
      const db = sources.connection.db;
      if (!db || sources.connection.readyState !== 1) throw new Error('not connected');
      await db.command({ ping: 1 });
    }, timeoutMs);
    // Reads against a MongoDB that did not answer a ping would only pile up behind server selection.
    if (!ping.ok) return { ping, collections: skipped<Record<string, number>>(), performance: skipped<PerformanceHealth>() };
    const [collections, performance] = await Promise.all([within(() => countCollections(sources), timeoutMs), within(() => recentPerformance(sources), timeoutMs)]);
    return { ping, collections, performance };
  };
  const [{ ping: mongoPing, collections, performance }, redisPing, memory, entries] = await Promise.all([
    mongoSide(),
    timed(async () => {
      redisReady();
      await sources.redis.ping().catch(answeredWithRefusal);
    }, timeoutMs),
    within(async () => {
      redisReady();
      return usedMemory(await sources.redis.info('memory'));
    }, timeoutMs),
    within(async () => {
      redisReady();
      return Object.values(await sources.cache.sizes()).reduce((a, b) => a + b, 0);
    }, timeoutMs),
  ]);
  const mongodb: MongoHealth = {
    status: mongoPing.ok ? 'connected' : 'disconnected',
    latency: mongoPing.latency,
    collections: collections.ok ? collections.value : null,
    ...(mongoPing.ok ? {} : { error: mongoPing.error }),
  };
  const redis: RedisHealth = {
    status: redisPing.ok ? 'connected' : 'disconnected',
    latency: redisPing.latency,
    database: sources.redisDatabase,
    memory: memory.ok ? memory.value : null,
    ...(redisPing.ok ? {} : { error: redisPing.error }),
  };
  const cache: CacheHealth = {
    status: redisPing.ok ? 'operational' : 'degraded',
    hitRate: sources.hitRate,
    entries: entries.ok ? entries.value : null,
  };
  const { overall, issues } = overallOf([
    { component: 'mongodb', state: mongoPing.ok ? 'healthy' : 'unhealthy', reason: mongoPing.ok ? undefined : mongoPing.error },
    { component: 'redis', state: redisPing.ok ? 'healthy' : 'degraded', reason: redisPing.ok ? undefined : `${redisPing.error} (workers claim from MongoDB)` },
  ]);
  return {
    overall,
    issues,
    timestamp: new Date(),
    mongodb,
    redis,
    cache,
    performance: performance.ok ? performance.value : { ...emptyPerformance(sources.windowMs), error: performance.error },
  };
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

function skipped<T>(): Outcome<T> {
  return { ok: false, error: 'MongoDB did not answer its ping' };
}

async function within<T>(read: () => Promise<T>, timeoutMs: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

async function timed(check: () => Promise<unknown>, timeoutMs: number): Promise<{ ok: boolean; latency: number | null; error?: string }> {
  const started = performance.now();
  const outcome = await within(check, timeoutMs);
  return outcome.ok ? { ok: true, latency: Math.round((performance.now() - started) * 100) / 100 } : { ok: false, latency: null, error: outcome.error };
}

async function countCollections(sources: HealthSources): Promise<Record<string, number>> {
  if (!sources.connection.db || sources.connection.readyState !== 1) throw new Error('not connected');
  const counts = await Promise.all(sources.collections.map((c) => c.estimatedCount()));
  return Object.fromEntries(sources.collections.map((c, i) => [c.name, counts[i]]));
}

/**
 * A Redis that cannot save its snapshot refuses PING along with writes (MISCONF): it answered, so
 * the connection is up; the refusal is the write probe's to report.
 */
function answeredWithRefusal(error: unknown): void {
  if (error instanceof ReplyError) return;
  throw error;
}

function usedMemory(info: string): number | null {
  const match = /^used_memory:(\d+)\s*$/m.exec(info);
  return match ? Number(match[1]) : null;
}

function emptyPerformance(windowMs: number): PerformanceHealth {
  return { avgProcessingTime: 0, throughputPerMinute: 0, successRate: 1, windowMinutes: windowMs / 60_000, completed: 0, failed: 0 };
}

/** Figures of the window's finished jobs (see JobReads.finishedSince). */
async function recentPerformance(sources: HealthSources): Promise<PerformanceHealth> {
  const { completed, failed, durations } = await sources.finishedSince(new Date(Date.now() - sources.windowMs), DURATION_SAMPLE);
  const windowMinutes = sources.windowMs / 60_000;
  const finished = completed + failed;
  return {
    avgProcessingTime: durations.length === 0 ? 0 : Math.round((durations.reduce((a, b) => a + b, 0) / durations.length) * 100) / 100,
    throughputPerMinute: Math.round((completed / windowMinutes) * 100) / 100,
    successRate: finished === 0 ? 1 : completed / finished,
    windowMinutes,
    completed,
    failed,
  };
}
