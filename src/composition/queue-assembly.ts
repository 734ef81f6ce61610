import type { Logger } from 'pino';
import { bandRanges } from '../config/config-aliases';
import { batchTtlMs, cacheTtlMs } from '../config/durations';
import { BatchCache } from '../cache/batch-cache';
import { createRedisClient } from '../cache/redis-connection';
import { RedisKeys } from '../cache/redis-keys';
import { RedisWriteHealth } from '../cache/redis-write-health';
import { JobLocks } from '../cache/job-locks';
import { TaskLocks } from '../cache/task-locks';
import type { JobServices } from '../domain/job-definition';
import { priorityBounds } from '../domain/priority-band';
import { DlqService } from '../manager/dlq-service';
import { JobIntake } from '../manager/job-intake';
import type { AddJobInput } from '../manager/job-input';
import { JobLifecycle } from '../manager/job-lifecycle';
import type { QueueConnections, QueueParts, QueueSpec } from '../manager/queue-parts';
import { WorkerRegistry } from '../manager/worker-registry';
import { MaintenanceRoles } from '../scheduler/maintenance-role';
import { DlqRepository } from '../storage/dlq-repository';
import { JobRepository } from '../storage/job-repository';
import { jobStoresOn, reportingStoresOn } from '../storage/queue-storage';
import { pruneDeadLetters, pruneFinishedJobs } from '../storage/retention';
import type { WorkerBinding } from '../worker/worker-port';

/**
 * Builds one queue on shared connections (`dlqAlsoType`: a job type whose DLQ entries in other
 * queues this queue's DLQ service may reach, to route them): its stores, batch cache, locks, lifecycle, intake and
 * DLQ service, each handed only what it uses. Cheap (no I/O): a named queue's consumer group
 * gets its own this way.
 */
export function assembleQueue(spec: QueueSpec, connections: QueueConnections, logger: Logger, options: { dlqAlsoType?: string } = {}): QueueParts {
  const { config, registry, batchSizes, controlQueue } = spec;
  const { connection, redis, progress, controls } = connections;
  const log = logger.child({ queue: config.name });
  const keys = new RedisKeys(config.cache.namespace, config.name);
  const { store, dlqStore, reads } = jobStoresOn(connection, config.limits);
  const reporting = reportingStoresOn(connection, config.limits, config.mongodb);
  const maxPriority = priorityBounds(bandRanges(config.batch.priorityLevels)).max;
  const cache = new BatchCache(redis, keys, maxPriority, batchTtlMs(config));
  const redisWrites = new RedisWriteHealth();
  const locks = new TaskLocks(redis, redisWrites);
  let services: JobServices | undefined;
  const lifecycle = new JobLifecycle({
    config,
    store,
    dlqStore,
    redis,
    redisWrites,
    cache,
    locks,
    jobLocks: new JobLocks(redis, config.worker.lockTimeout, redisWrites),
    keys,
    progress,
    batchSizes,
    registry,
    controls,
    controlQueue,
    services: () => services!,
    logger: log,
  });
  const intake = new JobIntake(config, registry, store, lifecycle);
  services = {
    mongo: connection,
    get redis() {
      return lifecycle.redisUsable ? redis : null;
    },
    cacheKey: (name) => keys.cacheValue(name),
    enqueue: async (input) => {
      const result = await intake.add(input as AddJobInput, 'handler');
      return { jobId: result.jobId, deduplicated: result.deduplicated };
    },
    retention: {
      pruneJobs: (rule, options) => pruneFinishedJobs(store, config.name, rule, new Date(), options),
      pruneDeadLetters: (before, options) => pruneDeadLetters(dlqStore, config.name, before, options),
    },
    settings: { queue: config.name, namespace: config.cache.namespace, cacheTtlMs: cacheTtlMs(config), dlqRetentionDays: config.dlq.retentionDays },
  };
  const insertOne = (record: Parameters<JobIntake['insert']>[0][number]) => intake.insert([record]).then((r) => r[0]);
  return {
    config,
    keys,
    registry,
    store,
    reads,
    reporting,
    dlqStore,
    cache,
    locks,
    redisWrites,
    lifecycle,
    intake,
    dlqService: new DlqService(config, registry, store, dlqStore, lifecycle, insertOne, { queue: config.name, alsoType: options.dlqAlsoType }, log.child({ component: 'dlq' })),
    jobRepository: new JobRepository(reporting.jobs, config.name, cache),
    dlqRepository: new DlqRepository(reporting.dlq, config.name),
    // Three missed heartbeats and a worker counts as gone.
    workerRegistry: new WorkerRegistry(redis, keys, config.worker.heartbeatInterval * 3),
    services,
    controlQueue,
  };
}

/** The maintenance roles of this process (turned on by the workers it runs). */
export const processMaintenance = new MaintenanceRoles();

/** What a QueueWorker on `parts` uses: the lifecycle as its port, presence, blocking clients, maintenance. */
export function workerBindingFor(parts: QueueParts, connections: QueueConnections, logger: Logger): WorkerBinding {
  return {
    port: parts.lifecycle,
    presence: parts.workerRegistry,
    blockingClient: () => {
      // A blocking pop waits up to the poll interval; the command timeout must not cut it short.
      const client = createRedisClient(parts.config.redis, logger, 'blocking', { commandTimeout: undefined });
      client.connect().catch(() => undefined);
      return client;
    },
    // Once per process per database and namespace, however many workers and consumer groups run.
    maintenance: (typeBatchSize) => processMaintenance.join({ ...parts, taskLeases: connections.taskLeases }, logger, typeBatchSize),
  };
}
