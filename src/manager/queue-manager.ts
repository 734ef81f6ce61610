import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import type { DlqSeverity } from '../domain/dlq-record';
import type { JobDefinition, JobServices } from '../domain/job-definition';
import { NotStartedError } from '../errors';
import type { ProgressFeed } from '../cache/progress-feed';
import { RedisKeys } from '../cache/redis-keys';
import type { Lock } from '../cache/task-locks';
import type { QueuePluginRegistry } from '../queue-api/plugin-registry';
import { NamedQueueFacade } from './named-queue-facade';
import type { NamedQueueHost } from './named-queue-host';
import type { OpenedQueue, QueueWiring } from './queue-wiring';
import { JobRegistry } from '../registry/job-registry';
import type { DlqEntry, DlqRepository } from '../storage/dlq-repository';
import type { DlqDocument, DlqStore } from '../storage/dlq-store';
import type { JobRepository } from '../storage/job-repository';
import type { JobDocument } from '../storage/job-store';
import type { TransitionResult } from '../storage/transition-result';
import type { WorkerBinding, WorkerHost } from '../worker/worker-port';
import type { ReprocessOptions, ReprocessResult } from './dlq-service';
import type { AddJobInput, AddJobResult } from './job-input';
import type { JobLifecycle } from './job-lifecycle';
import { queueHealth, type QueueHealthReport } from './queue-health';
import type { QueueParts } from './queue-parts';
import { collectQueueStats, countsOf, type QueueCounts, type QueueStats } from './queue-stats';
import { TypeBatchSizes, type BatchSizes } from './type-batch-sizes';
import type { WorkerRegistry } from './worker-registry';

/**
 * The application's entry point to one queue: add jobs, inspect them, operate the DLQ, open named
 * queues. A facade: the composition root builds what it delegates to. Made by QueueFactory (or
 * createQueueManager), then `start()` (connects and ensures indexes); `close()` when done.
 */
export class QueueManager extends NamedQueueFacade implements WorkerHost {
  readonly keys: RedisKeys;
  private readonly batchSizes: TypeBatchSizes;
  private readonly logger: Logger;
  private opened: OpenedQueue | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    readonly config: QueueConfig,
    logger: Logger,
    private readonly wiring: QueueWiring,
    readonly registry: JobRegistry = new JobRegistry(),
  ) {
    super();
    this.logger = logger.child({ component: 'queue-manager', queue: config.name });
    this.batchSizes = new TypeBatchSizes(registry);
    this.keys = new RedisKeys(config.cache.namespace, config.name);
  }

  /** Connects to MongoDB (required) and Redis (optional: degraded mode while down), ensures indexes. */
  async start(): Promise<void> {
    this.starting ??= this.wiring
      .open({ config: this.config, registry: this.registry, batchSizes: this.batchSizes, controlQueue: this.config.name })
      .then((opened) => void (this.opened = opened))
      .catch((error: unknown) => {
        this.starting = undefined;
        throw error;
      });
    return this.starting;
  }

  /** Stops the named queues (their consumers still write while they drain), then closes MongoDB and Redis. */
  async close(graceMs?: number): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    this.starting = undefined;
    await opened?.close(graceMs);
  }

  /** As close(): in-flight named-queue jobs finish within graceMs. */
  shutdown(graceMs?: number): Promise<void> {
    return this.close(graceMs);
  }

  get isStarted(): boolean {
    return this.opened !== undefined;
  }

  private get s(): QueueParts {
    return this.open.parts;
  }

  private get open(): OpenedQueue {
    if (!this.opened) throw new NotStartedError('QueueManager');
    return this.opened;
  }

  protected namedQueues(): NamedQueueHost {
    return this.open.namedQueues();
  }

  protected namedQueuesIfStarted(): NamedQueueHost | undefined {
    return this.opened?.namedQueues();
  }

  /** Backends of the named-queue API (getQueue); applications may register their own. */
  get queuePlugins(): QueuePluginRegistry {
    return this.wiring.queuePlugins;
  }

  /** Registers an application job type (its schema validates every addJob of that type). */
  registerJob(definition: JobDefinition): this {
    this.registry.register(definition);
    return this;
  }

  /**
   * Sets how many jobs of each type one load may put into a band's Redis batch (`{ email_send: 100 }`);
   * wins over the types' own `batchSize`. An unknown type or a bad size throws ConfigError and changes nothing.
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
    return this.s.intake.add(input as AddJobInput, by);
  }

  /** Validates every job first (nothing is written if one is bad), then inserts in chunks. */
  async addJobs(inputs: ReadonlyArray<AddJobInput>, by = 'api'): Promise<AddJobResult[]> {
    return this.s.intake.addMany(inputs, by);
  }

  /** Renews aging or lost batches, then moves up to `size` pending jobs per empty band into Redis (one loader at a time). */
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
    const outcome = await this.s.store.cancel(this.config.name, jobId, by, reason, new Date());
    if (outcome.ok) await this.s.cache.remove([jobId]).catch(() => undefined);
    return outcome;
  }

  async getQueueStats(): Promise<QueueStats> {
    const { reporting, cache, lifecycle } = this.s;
    return collectQueueStats(this.config.name, reporting.reads, cache, lifecycle.redisUsable, lifecycle.counters, lifecycle.batchesLoaded, this.config.batch.size);
  }

  /** MongoDB, Redis, the batch cache and recent performance, plus a Redis write probe (see queueHealth). */
  async checkHealth(): Promise<QueueHealthReport> {
    return queueHealth(this.s, this.open.connections);
  }

  async getDLQStats(): Promise<Awaited<ReturnType<DlqStore['stats']>>> {
    return this.s.reporting.dlq.stats(this.config.name);
  }

  /** The newest DLQ entry of a jobId of this queue or its named queues (a reused jobId has one per failure: `dlqRepository.list({ jobId })`). */
  async findDLQEntryByJobId(jobId: string): Promise<DlqEntry | null> {
    return this.s.dlqService.findByJobId(jobId);
  }

  /**
   * Reprocesses a DLQ entry as a new job (`jobId` in the result): corrections naming job options
   * apply to them, the rest merges into its data; a named queue's entry goes back to its group.
   * Of admins reprocessing one entry at once, one wins; the others get DlqAlreadyReprocessedError.
   */
  async reprocessDLQEntry(id: string, admin: string, corrections?: Record<string, unknown>, options: ReprocessOptions = {}): Promise<ReprocessResult> {
    return this.open.reprocessDLQEntry(id, admin, corrections, { requestedAt: options.requestedAt ?? new Date() });
  }

  async getDLQEntriesBySeverity(severity: DlqSeverity, options: { limit?: number } = {}): Promise<DlqEntry[]> {
    return this.s.dlqService.bySeverity(severity, options.limit ?? 100);
  }

  async markDLQAsReviewed(id: string, admin: string, note?: string): Promise<DlqEntry> {
    return this.s.dlqService.markReviewed(id, admin, note);
  }

  /** Stops workers of this queue from taking jobs, in every process (each notices within a poll interval). */
  pauseQueue(by = 'api'): Promise<void> {
    return this.setPaused(true, by);
  }

  resumeQueue(by = 'api'): Promise<void> {
    return this.setPaused(false, by);
  }

  private async setPaused(paused: boolean, by: string): Promise<void> {
    await this.open.connections.controls.setPaused(this.config.name, paused, by, new Date());
    this.logger.info({ by }, paused ? 'queue paused' : 'queue resumed');
  }

  /** Whether the queue is paused; `maxAgeMs` accepts what this process last read or wrote if younger. */
  async isQueuePaused(maxAgeMs = 0): Promise<boolean> {
    return this.s.lifecycle.isPaused(maxAgeMs);
  }

  /** The pause switch as this process last read or wrote it (no I/O). */
  queuePausedLastKnown(): boolean {
    return this.s.lifecycle.pausedLastKnown();
  }

  /** Receives progress reported by this queue's handlers in any process; returns the unsubscribe function. */
  onProgress(listener: (event: { queue: string; jobId: string; progress: unknown }) => void): () => void {
    return this.progressFeed.listen(this.keys.progress(), (_channel, payload) => listener(payload as { queue: string; jobId: string; progress: unknown }));
  }

  /** The shared progress subscriber (named queues listen on patterns of it). */
  get progressFeed(): ProgressFeed {
    return this.open.connections.progress;
  }

  /** BullMQ-style counts of this queue: waiting, active, completed, failed, delayed. */
  async metrics(): Promise<QueueCounts> {
    return countsOf(await this.getQueueStats());
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
    return this.s.services;
  }

  /** What a QueueWorker on this queue uses: the lifecycle as its port, presence, clients, maintenance. */
  workerBinding(): WorkerBinding {
    return this.open.workerBinding();
  }

  /** The queue's job operations (the worker port): claims, outcomes, leases, the Redis batches. */
  get lifecycle(): JobLifecycle {
    return this.s.lifecycle;
  }
}
