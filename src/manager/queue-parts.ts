import type Redis from 'ioredis';
import type { Connection } from 'mongoose';
import type { QueueConfig } from '../config/queue-config';
import type { BatchCache } from '../cache/batch-cache';
import type { ProgressFeed } from '../cache/progress-feed';
import type { RedisKeys } from '../cache/redis-keys';
import type { RedisWriteHealth } from '../cache/redis-write-health';
import type { TaskLocks } from '../cache/task-locks';
import type { JobServices } from '../domain/job-definition';
import type { JobRegistry } from '../registry/job-registry';
import type { DlqRepository } from '../storage/dlq-repository';
import type { DlqStore } from '../storage/dlq-store';
import type { JobReads } from '../storage/job-reads';
import type { JobRepository } from '../storage/job-repository';
import type { JobStore } from '../storage/job-store';
import type { QueueControlStore } from '../storage/queue-control-store';
import type { TaskLeaseStore } from '../storage/task-lease-store';
import type { DlqService } from './dlq-service';
import type { JobIntake } from './job-intake';
import type { JobLifecycle } from './job-lifecycle';
import type { TypeBatchSizes } from './type-batch-sizes';
import type { WorkerRegistry } from './worker-registry';

/** The connections one process opens per QueueManager; every queue built on them shares them. */
export interface QueueConnections {
  connection: Connection;
  redis: Redis;
  progress: ProgressFeed;
  /** Pause switches of every queue on these connections. */
  controls: QueueControlStore;
  /** MongoDB leases of maintenance tasks while the Redis task locks cannot be used. */
  taskLeases: TaskLeaseStore;
}

/** What makes one queue (a manager's, or a named queue's consumer group): its name and job types. */
export interface QueueSpec {
  config: QueueConfig;
  registry: JobRegistry;
  batchSizes: TypeBatchSizes;
  /** The queue whose pause switch this one obeys. */
  controlQueue: string;
}

/** One queue's stores, caches and services, on shared connections (built by the composition root). */
export interface QueueParts {
  config: QueueConfig;
  keys: RedisKeys;
  registry: JobRegistry;
  store: JobStore;
  /** Counts and listings of the jobs collection (stats, health, named-queue figures). */
  reads: JobReads;
  /** The same collections with mongodb.readPreference, for admin and reporting reads only. */
  reporting: { jobs: JobStore; dlq: DlqStore; reads: JobReads };
  dlqStore: DlqStore;
  cache: BatchCache;
  locks: TaskLocks;
  /** Whether Redis accepts this queue's writes (see RedisWriteHealth). */
  redisWrites: RedisWriteHealth;
  lifecycle: JobLifecycle;
  intake: JobIntake;
  dlqService: DlqService;
  jobRepository: JobRepository;
  dlqRepository: DlqRepository;
  workerRegistry: WorkerRegistry;
  /** The connections and operations handlers receive in their context. */
  services: JobServices;
  controlQueue: string;
}
