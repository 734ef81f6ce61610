import type { QueueConfig } from './queue-config';

const MS_PER_SECOND = 1000;
const MS_PER_HOUR = 3_600_000;

/**
 * The configuration keeps the documented units (batch.ttl and cache.ttl in seconds,
 * dlq.cleanupInterval in hours); timers and Redis expiries need milliseconds. Every conversion
 * is here, so each consumer reads a value in the unit its name says.
 */

/** How long a loaded batch stays valid (Redis band TTL, the jobs' batchedUntil). */
export function batchTtlMs(config: Pick<QueueConfig, 'batch'>): number {
  return Math.max(1, Math.round(config.batch.ttl * MS_PER_SECOND));
}

/** Age of a band's batch after which the loader renews it: cache.refreshThreshold of batch.ttl. */
export function batchRefreshAfterMs(config: Pick<QueueConfig, 'batch' | 'cache'>): number {
  return Math.max(1, Math.round(config.batch.ttl * config.cache.refreshThreshold * MS_PER_SECOND));
}

/** How long cached values live (cache_warm and the handlers' cache). */
export function cacheTtlMs(config: Pick<QueueConfig, 'cache'>): number {
  return Math.max(1, Math.round(config.cache.ttl * MS_PER_SECOND));
}

/** Time between two retention cleanups. */
export function dlqCleanupIntervalMs(config: Pick<QueueConfig, 'dlq'>): number {
  return Math.max(1, Math.round(config.dlq.cleanupInterval * MS_PER_HOUR));
}
