import mongoose from 'mongoose';
import type { Collection } from 'mongodb';
import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import { ProgressFeed } from '../cache/progress-feed';
import { connectRedis, createRedisClient } from '../cache/redis-connection';
import type { QueueConnections } from '../manager/queue-parts';
import { dlqModelFor, ensureDlqIndexes } from '../storage/dlq-model';
import { jobModelFor } from '../storage/job-model';
import { QueueControlStore, type QueueControlDocument } from '../storage/queue-control-store';
import { TaskLeaseStore, type TaskLeaseDocument } from '../storage/task-lease-store';

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
    autoIndex: false,
    autoCreate: false,
  });
  try {
    await connection.asPromise();
    const jobModel = jobModelFor(connection);
    const dlqModel = dlqModelFor(connection);
    await Promise.all([jobModel.createCollection(), dlqModel.createCollection()]);
    const controls = new QueueControlStore(connection.collection<QueueControlDocument>('queue_controls') as unknown as Collection<QueueControlDocument>);
    await Promise.all([jobModel.createIndexes(), ensureDlqIndexes(dlqModel), controls.ensureIndexes()]);
    const redis = createRedisClient(config.redis, logger, 'commands', { enableAutoPipelining: true });
    await connectRedis(redis, logger, 'commands');
    const progress = new ProgressFeed(config.redis, logger);
    const taskLeases = new TaskLeaseStore(connection.collection<TaskLeaseDocument>('task_leases') as unknown as Collection<TaskLeaseDocument>);
    logger.info({ db: connection.name, redis: redis.status }, 'queue manager started');
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
