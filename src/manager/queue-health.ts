import { checkHealth, type HealthReport } from './health-check';
import type { QueueConnections, QueueParts } from './queue-parts';
import { probeRedisWrites, type RedisWriteReport } from './redis-write-probe';

/** checkHealth: each probe's deadline, and the window its performance figures cover. */
const HEALTH_PROBE_TIMEOUT_MS = 1_000;
const HEALTH_WINDOW_MS = 5 * 60_000;

export type QueueHealthReport = HealthReport & { redisWrites: RedisWriteReport };

/**
 * MongoDB, Redis, the batch cache and recent performance of one queue (each probe answers within
 * 1 s), plus a Redis write probe: a Redis that answers PING but refuses writes makes it degraded.
 */
export async function queueHealth(parts: QueueParts, connections: QueueConnections): Promise<QueueHealthReport> {
  const { connection, redis } = connections;
  const { lifecycle, reads, dlqStore, cache, redisWrites, keys } = parts;
  const queue = parts.config.name;
  const report = await checkHealth({
    queue,
    connection,
    finishedSince: (since, sample) => reads.finishedSince(queue, since, sample),
    collections: [
      { name: reads.collectionName, estimatedCount: () => reads.estimatedCount() },
      { name: dlqStore.collectionName, estimatedCount: () => dlqStore.estimatedCount() },
    ],
    redis,
    redisDatabase: redis.options.db ?? 0,
    cache,
    hitRate: lifecycle.counters.hitRate,
    timeoutMs: HEALTH_PROBE_TIMEOUT_MS,
    windowMs: HEALTH_WINDOW_MS,
  });
  return probeRedisWrites(report, redis, keys.taskStamp('health-probe'), redisWrites, lifecycle.offerFailures, HEALTH_PROBE_TIMEOUT_MS);
}
