import type Redis from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import { redisConnectionOptions } from './redis-options';
import { createTopologyClient } from './redis-topology';

/**
 * A client for the queue's Redis. Commands fail fast while Redis is unreachable
 * (no offline queue) so callers fall back to MongoDB at once; reconnects go on forever.
 */
export function createRedisClient(config: QueueConfig['redis'], logger: Logger, role: string, extra: RedisOptions = {}): Redis {
  const client = createTopologyClient(config, {
    ...redisConnectionOptions(config),
    connectionName: `queue-${role}`,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.commandTimeoutMs,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    ...extra,
  });
  let wasReady = false;
  client.on('ready', () => {
    if (wasReady) logger.info({ role }, 'redis connection restored');
    wasReady = true;
  });
  client.on('error', (error: Error) => {
    logger.debug({ role, err: error.message }, 'redis connection error');
  });
  client.on('end', () => logger.debug({ role }, 'redis connection ended'));
  return client;
}

export function isRedisReady(client: Redis): boolean {
  return client.status === 'ready';
}

/** Connects, tolerating a Redis that is down now (the client keeps reconnecting by itself). */
export async function connectRedis(client: Redis, logger: Logger, role: string): Promise<boolean> {
  try {
    await client.connect();
    return true;
  } catch (error) {
    logger.warn({ role, err: (error as Error).message }, 'redis unavailable at start; running degraded until it returns');
    return false;
  }
}
