import mongoose from 'mongoose';
import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import { ProgressFeed } from '../cache/progress-feed';
import { connectRedis, createRedisClient } from '../cache/redis-connection';
import { redisTopologyKind } from '../cache/redis-topology';
import type { QueueConnections } from '../manager/queue-parts';
import { mongoWriteSettings } from '../storage/mongo-settings';
import { controlStoreOn, ensureQueueStorage, taskLeaseStoreOn } from '../storage/queue-storage';

export interface OpenConnections extends QueueConnections {
  close(): Promise<void>;
}

/**
 * Connects to MongoDB (required: the promise rejects if it cannot) and Redis (optional: a Redis
 * that is down is reconnected in the background, degraded mode meanwhile), ensures collections
 * and indexes. Nothing stays open when it fails.
 */
export async function openConnections(config: QueueConfig, logger: Logger): Promise<OpenConnections> {
  const { mongodb } = config;
  const connection = mongoose.createConnection(mongodb.connectionString, {
    dbName: mongodb.dbName,
    maxPoolSize: mongodb.maxPoolSize,
    serverSelectionTimeoutMS: mongodb.serverSelectionTimeoutMs,
    monitorCommands: mongodb.monitorCommands,
    ...mongoWriteSettings(mongodb),
    autoIndex: false,
    autoCreate: false,
  });
  try {
    await connection.asPromise();
    await ensureQueueStorage(connection);
    const controls = controlStoreOn(connection);
    const redis = createRedisClient(config.redis, logger, 'commands', { enableAutoPipelining: true });
    await connectRedis(redis, logger, 'commands');
    const progress = new ProgressFeed(config.redis, logger);
    const taskLeases = taskLeaseStoreOn(connection);
    logger.info({ db: connection.name, redis: redis.status, redisTopology: redisTopologyKind(config.redis) }, 'queue manager started');
    return {
      connection,
      redis,
      progress,
      controls,
      taskLeases,
      async close() {
        progress.close();
        redis.disconnect();
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}
