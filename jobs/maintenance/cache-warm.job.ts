import { EJSON } from 'bson';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { PermanentJobError } from '../../src/errors';
import { cacheWarmer, cacheWarmerNames, runWarmer } from './cache-warmers';

export const cacheWarmSchema = z.object({
  /** Names of registered warmers; all of them when absent. */
  warmers: z.array(z.string().min(1).max(100)).max(100).optional(),
  ttlMs: z.number().int().positive().max(7 * 86_400_000).optional(),
});

export type CacheWarmData = z.infer<typeof cacheWarmSchema>;

/** Runs registered warmers and stores each result in Redis under the cache namespace with a TTL. */
export const cacheWarmJob = defineJob({
  type: 'cache_warm',
  description: 'Fills the Redis cache from registered warmers',
  schema: cacheWarmSchema,
  defaults: { maxAttempts: 3, timeoutMs: 5 * 60_000, backoff: { type: 'exponential', delay: 5_000 } },
  async handle(data, context) {
    const names = data.warmers ?? cacheWarmerNames();
    const unknown = names.filter((name) => !cacheWarmer(name));
    if (unknown.length > 0) throw new PermanentJobError(`unknown cache warmers: ${unknown.join(', ')} (registered: ${cacheWarmerNames().join(', ')})`, 'UNKNOWN_WARMER');
    const redis = context.services.redis;
    // Redis down is temporary: a plain error retries with backoff.
    if (!redis) throw new Error('Redis is unavailable; cache_warm will retry');
    const written: Array<{ name: string; key: string; bytes: number; ttlMs: number }> = [];
    for (const [i, name] of names.entries()) {
      if (context.signal.aborted) throw context.signal.reason;
      const warmer = cacheWarmer(name)!;
      const value = EJSON.stringify(await runWarmer(warmer, context.services), { relaxed: false });
      const key = context.services.cacheKey(name);
      const ttlMs = data.ttlMs ?? warmer.ttlMs ?? context.services.settings.cacheTtlMs;
      await redis.set(key, value, 'PX', ttlMs);
      written.push({ name, key, bytes: Buffer.byteLength(value), ttlMs });
      await context.reportProgress(Math.round(((i + 1) / names.length) * 100));
    }
    return { keysWritten: written.length, totalBytes: written.reduce((sum, w) => sum + w.bytes, 0), keys: written };
  },
});
