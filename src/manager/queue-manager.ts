import type Redis from 'ioredis';
import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Collection } from 'mongodb';
import type { QueueConfig } from '../config/queue-config';
import { bandRanges, configuredLevels } from '../config/config-aliases';
import { batchTtlMs, cacheTtlMs } from '../config/durations';
import type { DlqSeverity } from '../domain/dlq-record';
import type { JobDefinition, JobServices } from '../domain/job-definition';
import type { JobRecord } from '../domain/job-record';
import { JobStatus } from '../domain/job-status';
import { priorityBounds, type PriorityLevels } from '../domain/priority-band';
import { NotStartedError } from '../errors';
import { BatchCache } from '../cache/batch-cache';
import { ProgressFeed } from '../cache/progress-feed';
import { connectRedis, createRedisClient } from '../cache/redis-connection';
import { RedisKeys } from '../cache/redis-keys';
import { RedisWriteHealth } from '../cache/redis-write-health';
import { TaskLocks, type Lock } from '../cache/task-locks';
import { JobRegistry } from '../registry/job-registry';
import { dlqModelFor, ensureDlqIndexes } from '../storage/dlq-model';
import { DlqRepository, withEntryIdOrNull, type DlqEntry } from '../storage/dlq-repository';
import { DlqStore, type DlqDocument } from '../storage/dlq-store';
import { jobModelFor } from '../storage/job-model';
import { JobRepository } from '../storage/job-repository';
import { JobStore, type JobDocument } from '../storage/job-store';
import { withinStorageDeadline } from '../storage/storage-outage';
import { TaskLeaseStore, type TaskLeaseDocument } from '../storage/task-lease-store';
import { QueueControlStore, type QueueControlDocument } from '../storage/queue-control-store';
import type { TransitionResult } from '../storage/transition-result';
import { DlqService, type ReprocessOptions, type ReprocessResult } from './dlq-service';
import { checkHealth, type HealthReport } from './health-check';
import { probeRedisWrites, type RedisWriteReport } from './redis-write-probe';
import { buildJobRecord } from './job-builder';
import type { AddJobInput, AddJobResult } from './job-input';
import { JobLifecycle } from './job-lifecycle';
import { TypeBatchSizes, type BatchSizes } from './type-batch-sizes';
import { DELIVERY_PRIORITY_LEVELS, deliveryAdminDefinition, QUEUE_MESSAGE_TYPE } from '../queues/engine/delivery';
import { engineQueuePlugin } from '../queues/engine/engine-plugin';
import { memoryQueuePlugin } from '../queues/memory/memory-plugin';
import { NamedQueues } from '../queues/named-queues';
import { QueuePluginRegistry } from '../queues/plugin-registry';
import type { NamedQueue, RecurringJobDetails } from '../queues/queue-api';
import { collectQueueStats, type QueueStats } from './queue-stats';
import { WorkerRegistry } from './worker-registry';
import { MaintenanceLoop } from '../scheduler/maintenance-loop';
import type { WorkerBinding, WorkerHost } from '../worker/worker-port';

/** Jobs per insertMany in addJobs: one round trip per chunk. */
const ADD_CHUNK = 1000;
/** checkHealth: each probe's deadline, and the window its performance figures cover. */
const HEALTH_PROBE_TIMEOUT_MS = 1_000;
const HEALTH_WINDOW_MS = 5 * 60_000;

/** How a queue derived from a manager differs from it (see QueueManager.derive). */
export interface DerivedQueueOptions {
  registry?: JobRegistry;
  priorityLevels?: PriorityLevels;
  /** The queue whose pause switch this one obeys (default: its own name). */
  controlQueue?: string;
}

interface Started {
  connection: Connection;
  redis: Redis;
  /** False for a derived manager: the connections belong to its parent. */
  ownsConnections: boolean;
  progress: ProgressFeed;
  controls: QueueControlStore;
  store: JobStore;
  dlqStore: DlqStore;
  lifecycle: JobLifecycle;
  cache: BatchCache;
  locks: TaskLocks;
  /** Whether Redis accepts this queue's writes (see RedisWriteHealth). */
  redisWrites: RedisWriteHealth;
  /** MongoDB leases of maintenance tasks while the Redis task locks cannot be used. */
  taskLeases: TaskLeaseStore;
  dlqService: DlqService;
  jobRepository: JobRepository;
  dlqRepository: DlqRepository;
  workerRegistry: WorkerRegistry;
}

/**
 * The application's entry point to one queue: add jobs, inspect them, operate the DLQ.
 * Construct, then `start()` (connects and ensures indexes); `close()` when done.
 */
export class QueueManager implements WorkerHost {
  readonly registry: JobRegistry;
  readonly keys: RedisKeys;
  private readonly batchSizes: TypeBatchSizes;
  private readonly logger: Logger;
  private readonly baseLogger: Logger;
  private parent: QueueManager | undefined;
  private named: NamedQueues | undefined;
  /** Backends of the named-queue API (getQueue); applications may register their own. */
  readonly queuePlugins = new QueuePluginRegistry().register(engineQueuePlugin).register(memoryQueuePlugin);
  private controlQueue: string;
  private started: Started | undefined;
  private services: JobServices | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    readonly config: QueueConfig,
    logger: Logger,
    registry: JobRegistry = new JobRegistry(),
  ) {
    this.baseLogger = logger;
    this.logger = logger.child({ component: 'queue-manager', queue: config.name });
    this.registry = registry;
    this.batchSizes = new TypeBatchSizes(registry);
    this.controlQueue = config.name;
    this.keys = new RedisKeys(config.cache.namespace, config.name);
  }

  /** Connects to MongoDB (required) and Redis (optional: degraded mode while down), ensures indexes. */
  async start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  /**
   * A manager for another queue on this manager's connections (one MongoDB pool and one Redis
   * client serve both): its own jobs, Redis batches, locks and job registry. Closing it leaves
   * the connections open; closing this manager closes them.
   */
  derive(name: string, options: DerivedQueueOptions = {}): QueueManager {
    const config: QueueConfig = {
      ...this.config,
      name,
      batch: { ...this.config.batch, priorityLevels: options.priorityLevels ? configuredLevels(options.priorityLevels) : this.config.batch.priorityLevels },
    };
    const child = new QueueManager(config, this.baseLogger, options.registry ?? new JobRegistry());
    child.parent = this;
    child.controlQueue = options.controlQueue ?? name;
    return child;
  }

  private async connect(): Promise<void> {
    const parent = this.parent;
    if (parent) {
      await parent.start();
      const { connection, redis, progress, controls } = parent.s;
      this.started = this.assemble(connection, redis, progress, controls, false);
      return;
    }
    const { mongodb } = this.config;
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
      const redis = createRedisClient(this.config.redis, this.logger, 'commands', { enableAutoPipelining: true });
      await connectRedis(redis, this.logger, 'commands');
      this.started = this.assemble(connection, redis, new ProgressFeed(this.config.redis, this.logger), controls, true);
      this.logger.info({ db: connection.name, redis: redis.status }, 'queue manager started');
    } catch (error) {
      this.starting = undefined;
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  private assemble(connection: Connection, redis: Redis, progress: ProgressFeed, controls: QueueControlStore, ownsConnections: boolean): Started {
    const jobModel = jobModelFor(connection);
    const dlqModel = dlqModelFor(connection);
    const store = new JobStore(jobModel.collection as unknown as Collection<JobDocument>, this.config.limits);
    const dlqStore = new DlqStore(dlqModel.collection as unknown as Collection<DlqDocument>);
    const maxPriority = priorityBounds(bandRanges(this.config.batch.priorityLevels)).max;
    const cache = new BatchCache(redis, this.keys, maxPriority, batchTtlMs(this.config));
    const redisWrites = new RedisWriteHealth();
    const locks = new TaskLocks(redis, redisWrites);
    const lifecycle = new JobLifecycle({
      config: this.config,
      store,
      dlqStore,
      redis,
      redisWrites,
      cache,
      locks,
      keys: this.keys,
      progress,
      batchSizes: this.batchSizes,
      registry: this.registry,
      controls,
      controlQueue: this.controlQueue,
      services: () => this.jobServices(),
      logger: this.logger,
    });
    const dlqService = new DlqService(this.config, this.registry, store, dlqStore, lifecycle, (record) => this.insertRecords([record]).then((r) => r[0]), this.logger.child({ component: 'dlq' }));
    return {
      connection,
      redis,
      ownsConnections,
      progress,
      controls,
      store,
      dlqStore,
      lifecycle,
      cache,
      locks,
      redisWrites,
      taskLeases: new TaskLeaseStore(connection.collection<TaskLeaseDocument>('task_leases') as unknown as Collection<TaskLeaseDocument>),
      dlqService,
      jobRepository: new JobRepository(store, this.config.name, cache),
      dlqRepository: new DlqRepository(dlqStore, this.config.name),
      // Three missed heartbeats and a worker counts as gone.
      workerRegistry: new WorkerRegistry(redis, this.keys, this.config.worker.heartbeatInterval * 3),
    };
  }

  /**
   * The named queue `name` (the generic way in: enqueue, consume with consumer groups,
   * recurring schedules). The same object on every call, across backend switches. Start first.
   */
  getQueue<T>(name: string): NamedQueue<T> {
    return this.namedQueues().getQueue<T>(name);
  }

  /** The id of the backend named queues run on (`engine` until setActiveBackend chooses another). */
  getActivePlugin(): string {
    return this.namedQueues().getActivePlugin();
  }

  /**
   * Moves every named queue to another backend: the config (an object with an optional
   * `configVersion`) is migrated from its stored version, then validated, before anything changes.
   */
  async setActiveBackend(pluginId: string, config: unknown, graceMs?: number): Promise<void> {
    await this.namedQueues().setActiveBackend(pluginId, config, graceMs);
  }

  /**
   * Named queues take jobs and fire recurring schedules in this process (the default).
   * `intervalMs` (10–60000) sets their poll interval: see NamedQueues.startPolling.
   */
  startPolling(intervalMs?: number): void {
    this.namedQueues().startPolling(intervalMs);
  }

  /** Named queues stop taking jobs and firing schedules in this process; running jobs finish. */
  stopPolling(): void {
    this.namedQueues().stopPolling();
  }

  /** Jobs the named queues of this process are running right now. */
  async getInFlightJobCount(): Promise<number> {
    return (await this.named?.getInFlightJobCount()) ?? 0;
  }

  async listAllRecurringJobs(): Promise<RecurringJobDetails[]> {
    return this.namedQueues().listAllRecurringJobs();
  }

  /** Stops every named queue (in-flight jobs finish within graceMs), then closes the connections. */
  async shutdown(graceMs?: number): Promise<void> {
    await this.named?.shutdown(graceMs);
    this.named = undefined;
    await this.close();
  }

  private namedQueues(): NamedQueues {
    if (this.parent) throw new NotStartedError('named queues of a derived QueueManager');
    this.named ??= new NamedQueues({
      plugins: this.queuePlugins,
      logger: this.baseLogger,
      host: this,
      initial: { pluginId: engineQueuePlugin.id, config: { configVersion: engineQueuePlugin.configVersion, delayMultiplier: this.config.delayMultiplier, pollIntervalMs: this.config.worker.pollInterval } },
    });
    return this.named;
  }

  /** Closes MongoDB and Redis connections. Stop workers first. */
  async close(): Promise<void> {
    // Named queues stop first: their consumers still write while they drain.
    const named = this.named;
    this.named = undefined;
    await named?.shutdown();
    const started = this.started;
    this.started = undefined;
    this.starting = undefined;
    this.services = undefined;
    if (!started?.ownsConnections) return;
    started.progress.close();
    started.redis.disconnect();
    await started.connection.close();
  }

  private get s(): Started {
    if (!this.started) throw new NotStartedError('QueueManager');
    return this.started;
  }

  get isStarted(): boolean {
    return this.started !== undefined;
  }

  /** Registers an application job type (its schema validates every addJob of that type). */
  registerJob(definition: JobDefinition): this {
    this.registry.register(definition as JobDefinition);
    return this;
  }

  /**
   * Sets how many jobs of each type one load may put into a band's Redis batch, keyed by type
   * name (`{ email_send: 100, file_process: 10 }`); wins over the types' own `batchSize` and
   * merges with earlier calls. Register the types first: an unknown type or a size that is not a
   * positive integer throws ConfigError and changes nothing.
   */
  setBatchSizes(sizes: BatchSizes): this {
    this.batchSizes.set(sizes);
    return this;
  }

  /** The batch size of every registered type that has one (set here or declared by the type). */
  getBatchSizes(): Record<string, number> {
    return this.batchSizes.all();
  }

  /** Validates and stores one job; a second add with the same jobId returns the existing job. */
  async addJob<T extends string>(input: AddJobInput<T>, by = 'api'): Promise<AddJobResult> {
    const record = buildJobRecord(input as AddJobInput, this.registry, this.config, new Date(), by);
    const [result] = await this.insertRecords([record]);
    return result;
  }

  /** Validates every job first (nothing is written if one is bad), then inserts in chunks. */
  async addJobs(inputs: ReadonlyArray<AddJobInput>, by = 'api'): Promise<AddJobResult[]> {
    const now = new Date();
    const records = inputs.map((input) => buildJobRecord(input, this.registry, this.config, now, by));
    const results: AddJobResult[] = [];
    for (let i = 0; i < records.length; i += ADD_CHUNK) {
      results.push(...(await this.insertRecords(records.slice(i, i + ADD_CHUNK))));
    }
    return results;
  }

  private async insertRecords(records: JobRecord[]): Promise<AddJobResult[]> {
    const { store, lifecycle } = this.s;
    const timeoutMs = this.config.mongodb.storageTimeoutMs;
    const duplicates = await withinStorageDeadline('the insert of new jobs', timeoutMs, () => store.enqueue(records));
    const existing = new Map<string, JobDocument>();
    if (duplicates.size > 0) {
      const ids = [...duplicates].map((i) => records[i].jobId);
      const docs = await withinStorageDeadline('the read of existing jobs', timeoutMs, () => store.collection.find({ jobId: { $in: ids } }).toArray());
      for (const doc of docs) existing.set(doc.jobId, doc);
    }
    const fresh = records.filter((r, i) => !duplicates.has(i) && r.status === JobStatus.Pending);
    await lifecycle.offer(fresh.map((r) => ({ jobId: r.jobId, priority: r.priority, band: r.band, orderKey: r.orderKey })));
    return records.map((record, i) => {
      const doc = duplicates.has(i) ? existing.get(record.jobId) ?? record : record;
      return { jobId: doc.jobId, status: doc.status, priority: doc.priority, band: doc.band, runAt: doc.runAt, deduplicated: duplicates.has(i) };
    });
  }

  /**
   * Renews aging or lost batches, then moves up to `size` pending jobs per empty band into Redis
   * (one loader at a time), each type at most its batch size (types without one: up to `size`).
   */
  async loadNextBatch(options: { size?: number } = {}): Promise<{ loaded: number }> {
    return { loaded: await this.s.lifecycle.refreshAndLoad(options.size) };
  }

  /** The redlock lock on a job (null when another holder has it or Redis is down). Release it with releaseLock. */
  async acquireLock(jobId: string, workerId: string): Promise<Lock | null> {
    const lock = await this.s.locks.tryAcquire(this.keys.jobLock(jobId), this.config.worker.lockTimeout);
    this.logger.debug({ jobId, workerId, acquired: lock !== null }, 'job lock');
    return lock;
  }

  async releaseLock(lock: Lock): Promise<void> {
    await this.s.locks.release(lock);
  }

  async moveToDLQ(job: string | Pick<JobDocument, 'jobId'>, reason: string, by = 'api'): Promise<DlqDocument> {
    return this.s.dlqService.moveToDLQ(job, reason, by);
  }

  async cancelJob(jobId: string, by = 'api', reason = 'cancelled'): Promise<TransitionResult<JobDocument>> {
    const outcome = await this.s.store.cancel(jobId, by, reason, new Date());
    if (outcome.ok) await this.s.cache.remove([jobId]).catch(() => undefined);
    return outcome;
  }

  async getQueueStats(): Promise<QueueStats> {
    const { store, cache, lifecycle } = this.s;
    return collectQueueStats(this.config.name, store, cache, lifecycle.redisUsable, lifecycle.counters, lifecycle.batchesLoaded, this.config.batch.size);
  }

  /**
   * MongoDB, Redis, the batch cache and recent performance (each probe answers within 1 s), plus a
   * Redis write probe: a Redis that answers PING but refuses writes makes the report degraded.
   */
  async checkHealth(): Promise<HealthReport & { redisWrites: RedisWriteReport }> {
    const { connection, redis, lifecycle, store, dlqStore, cache, redisWrites } = this.s;
    const report = await checkHealth({
      queue: this.config.name,
      connection,
      jobs: store.collection,
      collectionNames: [store.collection.collectionName, dlqStore.collection.collectionName],
      redis,
      redisDatabase: redis.options.db ?? 0,
      cache,
      hitRate: lifecycle.counters.hitRate,
      timeoutMs: HEALTH_PROBE_TIMEOUT_MS,
      windowMs: HEALTH_WINDOW_MS,
    });
    return probeRedisWrites(report, redis, this.keys.taskStamp('health-probe'), redisWrites, lifecycle.offerFailures, HEALTH_PROBE_TIMEOUT_MS);
  }

  async getDLQStats(): Promise<Awaited<ReturnType<DlqStore['stats']>>> {
    return this.s.dlqStore.stats(this.config.name);
  }

  /** The newest DLQ entry of a jobId (a reused jobId has one per failure: `dlqRepository.list({ jobId })`). */
  async findDLQEntryByJobId(jobId: string): Promise<DlqEntry | null> {
    return withEntryIdOrNull(await this.s.dlqStore.findByJobId(jobId));
  }

  /**
   * Reprocesses a DLQ entry as a new job (`jobId` in the result): corrections naming job options
   * (priority, maxAttempts, delay, scheduledFor) apply to its options, the rest merges into its
   * data. An entry of a named queue's consumer group goes back to that group's deliveries.
   * Of several admins reprocessing one entry at once, one wins; the others get
   * DlqAlreadyReprocessedError (`DLQ_ALREADY_REPROCESSED`) naming the job that exists.
   */
  async reprocessDLQEntry(id: string, admin: string, corrections?: Record<string, unknown>, options: ReprocessOptions = {}): Promise<ReprocessResult> {
    const requested = { requestedAt: options.requestedAt ?? new Date() };
    const entry = await this.s.dlqService.findEntry(id);
    if (entry.queue !== this.config.name && entry.type === QUEUE_MESSAGE_TYPE) {
      const group = this.derive(entry.queue, { registry: new JobRegistry().register(deliveryAdminDefinition), priorityLevels: DELIVERY_PRIORITY_LEVELS });
      await group.start();
      try {
        return await group.reprocessDLQEntry(String(entry._id), admin, corrections, requested);
      } finally {
        await group.close();
      }
    }
    return this.s.dlqService.reprocess(id, admin, corrections, requested);
  }

  async getDLQEntriesBySeverity(severity: DlqSeverity, options: { limit?: number } = {}): Promise<DlqEntry[]> {
    return this.s.dlqService.bySeverity(severity, options.limit ?? 100);
  }

  async markDLQAsReviewed(id: string, admin: string, note?: string): Promise<DlqEntry> {
    return this.s.dlqService.markReviewed(id, admin, note);
  }

  /** Stops workers of this queue from taking jobs, in every process (each notices within a poll interval). */
  async pauseQueue(by = 'api'): Promise<void> {
    await this.s.controls.setPaused(this.controlQueue, true, by, new Date());
    this.logger.info({ by }, 'queue paused');
  }

  async resumeQueue(by = 'api'): Promise<void> {
    await this.s.controls.setPaused(this.controlQueue, false, by, new Date());
    this.logger.info({ by }, 'queue resumed');
  }

  /** Whether the queue is paused; `maxAgeMs` accepts what this process last read or wrote if younger. */
  async isQueuePaused(maxAgeMs = 0): Promise<boolean> {
    return this.s.controls.isPaused(this.controlQueue, maxAgeMs);
  }

  /** The pause switch as this process last read or wrote it (no I/O). */
  queuePausedLastKnown(): boolean {
    return this.s.controls.lastKnown(this.controlQueue);
  }

  /** Receives progress reported by this queue's handlers in any process; returns the unsubscribe function. */
  onProgress(listener: (event: { queue: string; jobId: string; progress: unknown }) => void): () => void {
    return this.s.progress.listen(this.keys.progress(), (_channel, payload) => listener(payload as { queue: string; jobId: string; progress: unknown }));
  }

  /** The shared progress subscriber (named queues listen on patterns of it). */
  get progressFeed(): ProgressFeed {
    return this.s.progress;
  }

  /** BullMQ-style counts of this queue: waiting, active, completed, failed, delayed. */
  async metrics(): Promise<{ waiting: number; active: number; completed: number; failed: number; delayed: number }> {
    const stats = await this.getQueueStats();
    return { waiting: stats.pending + stats.batched, active: stats.processing, completed: stats.completed, failed: stats.dead, delayed: stats.scheduled };
  }

  get jobRepository(): JobRepository {
    return this.s.jobRepository;
  }

  get dlqRepository(): DlqRepository {
    return this.s.dlqRepository;
  }

  /** Live workers of this queue, from their heartbeats in Redis. */
  get workerRegistry(): WorkerRegistry {
    return this.s.workerRegistry;
  }

  /** The connections and operations handlers receive in their context. */
  jobServices(): JobServices {
    const { connection, redis, lifecycle } = this.s;
    this.services ??= {
      mongo: connection,
      get redis() {
        return lifecycle.redisUsable ? redis : null;
      },
      cacheKey: (name) => this.keys.cacheValue(name),
      enqueue: async (input) => {
        const result = await this.addJob(input as AddJobInput, 'handler');
        return { jobId: result.jobId, deduplicated: result.deduplicated };
      },
      settings: {
        queue: this.config.name,
        namespace: this.config.cache.namespace,
        cacheTtlMs: cacheTtlMs(this.config),
        dlqRetentionDays: this.config.dlq.retentionDays,
      },
    };
    return this.services;
  }

  /** What a QueueWorker on this queue uses: the lifecycle as its port, presence, clients, maintenance. */
  workerBinding(): WorkerBinding {
    const { lifecycle, workerRegistry } = this.s;
    return {
      port: lifecycle,
      presence: workerRegistry,
      blockingClient: () => {
        // A blocking pop waits up to the poll interval; the command timeout must not cut it short.
        const client = createRedisClient(this.config.redis, this.logger, 'blocking', { commandTimeout: undefined });
        client.connect().catch(() => undefined);
        return client;
      },
      maintenance: (typeBatchSize) => {
        const loop = new MaintenanceLoop(this, this.baseLogger, typeBatchSize);
        loop.start();
        return { release: () => loop.stop() };
      },
    };
  }

  /** For the worker and the maintenance loop of this package. */
  get lifecycle(): JobLifecycle {
    return this.s.lifecycle;
  }

  /** For the worker and the maintenance loop of this package. */
  get internals(): Pick<Started, 'store' | 'dlqStore' | 'cache' | 'locks' | 'redis' | 'connection' | 'controls' | 'redisWrites' | 'taskLeases'> {
    return this.s;
  }
}
