import type Redis from 'ioredis';
import type { RedisWriteHealth, RedisWriteStatus } from '../cache/redis-write-health';
import type { HealthReport } from './health-check';

/** The write side of Redis in a health report. */
export interface RedisWriteReport extends RedisWriteStatus {
  /** Ids this process could not put into the Redis batches (the loader or MongoDB claims cover them). */
  offerFailures: number;
}

/**
 * Writes one short-lived key (PX) and folds the answer, with the writes that failed recently,
 * into the health decision: Redis connected but refusing writes makes the report `degraded`
 * (the cache is bypassed: workers claim from MongoDB) and names the error. A probe that succeeds
 * ends the refusing state at once.
 */
export async function probeRedisWrites(
  report: HealthReport,
  redis: Redis,
  probeKey: string,
  health: RedisWriteHealth,
  offerFailures: number,
  timeoutMs: number,
): Promise<HealthReport & { redisWrites: RedisWriteReport }> {
  if (report.redis.status === 'connected') {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        redis.set(probeKey, String(Date.now()), 'PX', 10_000),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`write probe: no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      health.recordSuccess();
    } catch (error) {
      health.recordFailure(error);
    } finally {
      clearTimeout(timer);
    }
  }
  const writes = health.snapshot();
  if (report.redis.status === 'connected' && writes.refusing) {
    const reason = `refusing writes: ${writes.lastError ?? 'unknown error'}`;
    return {
      ...report,
      overall: report.overall === 'healthy' ? 'degraded' : report.overall,
      issues: [...report.issues, `redis: ${reason}`],
      redis: { ...report.redis, error: reason },
      cache: { ...report.cache, status: 'degraded' },
      redisWrites: { ...writes, offerFailures },
    };
  }
  return { ...report, redisWrites: { ...writes, offerFailures } };
}
