import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import { bandRanges } from '../config/config-aliases';
import { batchTtlMs } from '../config/durations';
import { backoffDelay } from '../domain/backoff';
import { calculateObjectSize } from 'bson';
import type { JobAttemptError, JobRecord } from '../domain/job-record';
import { BANDS_IN_ORDER, type PriorityBand } from '../domain/priority-band';
import { PermanentJobError, QueueError, RetryJobError } from '../errors';
import { JobStatus } from '../domain/job-status';
import type { BatchCache, CachedJob } from '../cache/batch-cache';
import { isRedisReady } from '../cache/redis-connection';
import type { ProgressFeed } from '../cache/progress-feed';
import type { RedisKeys } from '../cache/redis-keys';
import type { RedisWriteHealth } from '../cache/redis-write-health';
import type { JobLock, JobLocks } from '../cache/job-locks';
import type { TaskLocks } from '../cache/task-locks';
import type { JobDefinition, JobServices } from '../domain/job-definition';
import type { JobRegistry } from '../registry/job-registry';
import type { QueueControlStore } from '../storage/queue-control-store';
import type { ClaimedJob, FailureOutcome, JobLockHandle, WorkerPort } from '../worker/worker-port';
import type { DlqDocument, DlqStore } from '../storage/dlq-store';
import type { ClaimedJobDocument, JobDocument, JobStore, Lease } from '../storage/job-store';
import { isStorageUnreachable, withinStorageDeadline } from '../storage/storage-outage';
import { FollowUpGate, selectForBand } from './batch-selection';
import { BatchUpkeep } from './batch-upkeep';
import { CacheCounters } from './cache-counters';
import type { TypeBatchSizes } from './type-batch-sizes';

export type { ClaimedJob, FailureOutcome } from '../worker/worker-port';

/** Most completions written by one command (group commit). */
const MAX_COMPLETION_BATCH = 500;

interface PendingCompletion {
  lease: Lease;
  attempt: number;
  result: unknown;
  resultError: JobRecord['resultError'];
  /** Transient write failures are retried until then (the lease's length after the handler returned). */
  retryUntil: number;
  resolve(recorded: boolean): void;
  reject(error: unknown): void;
}

/** Pause between retries of a completion write MongoDB could not take (doubling up to 1 s). */
const COMPLETION_RETRY_MS = 100;
/**
 * Longest a completion write may take before it counts as not written and is retried: a write on a
 * connection that never answers (a half-open socket after an outage) must not hold the job's
 * completion, and every job queued behind it, until the process restarts. Retrying is safe: each
 * write is guarded by the lease, so a late answer to the first one changes nothing.
 */
const COMPLETION_WRITE_DEADLINE_MS = 10_000;

export interface LifecycleDeps {
  config: QueueConfig;
  store: JobStore;
  dlqStore: DlqStore;
  redis: Redis;
  redisWrites: RedisWriteHealth;
  cache: BatchCache;
  locks: TaskLocks;
  /** The locks jobs run under (taken and released per tick, one script call each). */
  jobLocks: JobLocks;
  keys: RedisKeys;
  progress: ProgressFeed;
  batchSizes: TypeBatchSizes;
  registry: JobRegistry;
  controls: QueueControlStore;
  /** The queue whose pause switch this one obeys (a named queue's groups share their queue's). */
  controlQueue: string;
  /** What handlers receive in their context (built on first use). */
  services: () => JobServices;
  logger: Logger;
}

/**
 * The operations a worker performs on jobs: take (Redis batch first, MongoDB as the
 * fallback), complete, fail (retry or dead-letter), hand back, extend. Redis failures
 * cost latency, never correctness: every decision is a guarded write in MongoDB.
 */
export class JobLifecycle implements WorkerPort {
  readonly counters = new CacheCounters();
  /** Loads that put at least one id into Redis, by this process. */
  batchesLoaded = 0;
  /** Completions waiting for the next group write, and whether a flush is under way. */
  private readonly completions: PendingCompletion[] = [];
  private completing = false;
  /** Handler starts waiting for the next group write (see markStarted), and whether one is under way. */
  private readonly starts: Array<{ lease: Lease; resolve(marked: boolean): void; reject(error: unknown): void }> = [];
  private startsFlushing = false;
  /** Ids that could not be put into Redis (offer failed): the loader or a MongoDB claim covers them. */
  offerFailures = 0;
  /** When a load last found nothing to load (or found the loader busy elsewhere); 0 after a load that found work. */
  private lastEmptyLoadAt = 0;
  /** Bands whose backlog behind capped types was found empty, asked again after a poll interval. */
  private readonly followUps: FollowUpGate;
  private readonly logger: Logger;
  /** Renews aging batches and returns the ones Redis lost (cache.refreshThreshold). */
  readonly upkeep: BatchUpkeep;

  constructor(private readonly deps: LifecycleDeps) {
    this.logger = deps.logger.child({ component: 'lifecycle' });
    this.upkeep = new BatchUpkeep({ config: deps.config, store: deps.store, cache: deps.cache, logger: this.logger });
    this.followUps = new FollowUpGate(deps.config.worker.pollInterval);
  }

  /** Redis connected and accepting writes (a Redis refusing writes is treated as down). */
  get redisUsable(): boolean {
    return isRedisReady(this.deps.redis) && !this.deps.redisWrites.refusing;
  }

  /**
   * Claims up to `count` ready jobs without waiting; [] when there is nothing to do. A load it
   * triggers gives types without a batch size `typeBatchSize` jobs each (the worker's batchSize).
   */
  async take(workerId: string, count: number, typeBatchSize?: number): Promise<ClaimedJob[]> {
    if (this.redisUsable) {
      try {
        let ids = await this.deps.cache.pop(count);
        if (ids.length === 0 && this.inlineLoadDue() && (await this.loadBatches(undefined, undefined, typeBatchSize)) > 0) ids = await this.deps.cache.pop(count);
        if (ids.length > 0) return await this.claimFromBatch(ids, workerId);
        return [];
      } catch (error) {
        // ZMPOP is a write: READONLY (a replica after failover) lands here too.
        this.deps.redisWrites.recordFailure(error);
        this.logger.warn({ err: (error as Error).message }, 'redis batch unavailable; claiming from MongoDB');
      }
    }
    return this.claimDirect(workerId);
  }

  /**
   * An empty pop triggers a load from MongoDB only if no load came back empty within the last
   * poll interval: new jobs reach Redis when they are added, so a load after every empty pop
   * (a lock, four band queries and an unlock each time a worker runs dry) mostly finds nothing.
   * Jobs that missed Redis are still loaded within a poll interval (here or by the loader tick).
   */
  private inlineLoadDue(): boolean {
    return Date.now() - this.lastEmptyLoadAt >= this.deps.config.worker.pollInterval;
  }

  /** Blocks on Redis until an id arrives or `timeoutMs` passes (the wake-up path), then claims. */
  async waitForWork(blockingClient: Redis, workerId: string, count: number, timeoutMs: number): Promise<ClaimedJob[]> {
    const ids = await this.deps.cache.popBlocking(blockingClient, count, timeoutMs);
    return ids.length > 0 ? this.claimFromBatch(ids, workerId) : [];
  }

  private async claimFromBatch(ids: string[], workerId: string): Promise<ClaimedJob[]> {
    const docs = await this.deps.store.claimMany(ids, workerId, this.deps.config.worker.lockTimeout, new Date());
    this.counters.recordHits(docs.length);
    this.counters.recordStale(ids.length - docs.length);
    return docs.map((doc) => toClaimed(doc, workerId, 'redis'));
  }

  private async claimDirect(workerId: string): Promise<ClaimedJob[]> {
    const doc = await this.deps.store.claimNext(this.deps.config.name, workerId, this.deps.config.worker.lockTimeout, new Date());
    if (!doc) return [];
    this.counters.recordMiss();
    return [toClaimed(doc, workerId, 'mongo')];
  }

  /**
   * The loader: under a redlock lock (one loader at a time across workers), moves up to
   * batch.size pending jobs per band from MongoDB into the band's Redis set, then marks them
   * batched. Each job type contributes at most its batch size to a band (see TypeBatchSizes;
   * `typeBatchSize` for types without one); jobs left out stay pending for the next load.
   * Returns how many ids it loaded (0 when another worker holds the lock).
   */
  async loadBatches(bands: readonly PriorityBand[] = BANDS_IN_ORDER, size = this.deps.config.batch.size, typeBatchSize = size): Promise<number> {
    const loaded = await this.deps.locks.runExclusive(this.deps.keys.taskLock('loader'), 10_000, async () => {
      const levels = bandRanges(this.deps.config.batch.priorityLevels);
      // Refill only empty bands: a band still holding ids would only get ids it already has, each
      // costing a write to mark it batched (aging and lost batches: refreshAndLoad).
      const cached = await this.deps.cache.sizes();
      const low = bands.filter((band) => cached[band] === 0);
      const capOf = this.deps.batchSizes.capsFor(typeBatchSize);
      const perBand = await Promise.all(low.map((band) => selectForBand(this.deps.store, this.deps.config.name, levels[band], size, capOf, this.followUps)));
      const jobs: CachedJob[] = perBand.flat();
      if (jobs.length === 0) return 0;
      // Push before marking: a crash in between leaves them pending (the loader comes back to them).
      await this.deps.cache.push(jobs);
      const now = new Date();
      await this.deps.store.markBatched(
        jobs.map((j) => j.jobId),
        new Date(now.getTime() + batchTtlMs(this.deps.config)),
        now,
      );
      this.batchesLoaded += 1;
      return jobs.length;
    });
    this.lastEmptyLoadAt = loaded ? 0 : Date.now();
    return loaded ?? 0;
  }

  /**
   * The loader's periodic pass (and loadNextBatch): renews bands whose batch aged past
   * cache.refreshThreshold of batch.ttl and returns batches Redis lost, then refills empty bands.
   * Not on a worker's claim path: each renewal step is a guarded write, safe without the loader lock.
   */
  async refreshAndLoad(size?: number, typeBatchSize?: number): Promise<number> {
    if (this.redisUsable) await this.upkeep.renewDue(BANDS_IN_ORDER);
    return this.loadBatches(undefined, size, typeBatchSize);
  }

  /**
   * While Redis is connected but marked as refusing writes, tries one short-lived write: nothing
   * else writes to Redis in that state (claims go to MongoDB), so without this probe a recovered
   * Redis would stay unused. A write that succeeds ends the state; one that fails keeps it.
   */
  async probeRedisWrites(): Promise<void> {
    if (!this.deps.redisWrites.refusing || !isRedisReady(this.deps.redis)) return;
    try {
      await this.deps.redis.set(this.deps.keys.taskStamp('write-probe'), String(Date.now()), 'PX', 10_000);
      this.deps.redisWrites.recordSuccess();
      this.logger.info('redis accepts writes again');
    } catch (error) {
      this.deps.redisWrites.recordFailure(error);
    }
  }

  /** Puts ready jobs into their Redis bands; a Redis failure is logged (the loader recovers them). */
  async offer(jobs: CachedJob[]): Promise<void> {
    // Tried even while Redis refuses writes: a push that succeeds is how this process learns it recovered.
    if (jobs.length === 0 || !isRedisReady(this.deps.redis)) return;
    try {
      await this.deps.cache.push(jobs);
      this.deps.redisWrites.recordSuccess();
    } catch (error) {
      this.offerFailures += jobs.length;
      this.deps.redisWrites.recordFailure(error);
      this.logger.warn({ err: (error as Error).message, jobs: jobs.length, offerFailures: this.offerFailures }, 'could not push jobs to redis; workers claim them from MongoDB');
    }
  }

  /**
   * Records a result (fenced by the lease). Group commit: completions that arrive while one
   * write is in flight go out together in the next one (one MongoDB command for many jobs under
   * load; an idle queue still writes each at once).
   */
  async complete(job: ClaimedJob, result: unknown): Promise<boolean> {
    const storable = this.storable(job, result);
    const retryUntil = Date.now() + this.deps.config.worker.lockTimeout;
    const recorded = await new Promise<boolean>((resolve, reject) => {
      this.completions.push({ lease: job.lease, attempt: job.doc.attempts, ...storable, retryUntil, resolve, reject });
      if (!this.completing) {
        this.completing = true;
        setImmediate(() => void this.flushCompletions());
      }
    });
    if (!recorded) this.logFenced(job, 'completion');
    return recorded;
  }

  private async flushCompletions(): Promise<void> {
    try {
      while (this.completions.length > 0) {
        const batch = this.completions.splice(0, MAX_COMPLETION_BATCH);
        try {
          const recorded = await withinStorageDeadline('complete jobs', COMPLETION_WRITE_DEADLINE_MS, () => this.deps.store.completeMany(batch, new Date()));
          batch.forEach((c, i) => c.resolve(recorded[i]));
        } catch {
          // One job's write must not fail its neighbours: each is written (and retried) on its own.
          await Promise.all(batch.map((c) => this.completeAlone(c).then(c.resolve, c.reject)));
        }
      }
    } finally {
      this.completing = false;
    }
  }

  /**
   * A handler's result as it will be stored: as returned, or null with a resultError when it
   * cannot be stored (not serialisable to BSON, or over limits.maxResultBytes). The job still
   * completes: its work is done, and running it again would repeat its side effects.
   */
  private storable(job: ClaimedJob, result: unknown): { result: unknown; resultError: JobRecord['resultError'] } {
    if (result === undefined || result === null) return { result: null, resultError: null };
    const limit = this.deps.config.limits.maxResultBytes;
    let sizeBytes: number;
    try {
      sizeBytes = calculateObjectSize({ result });
    } catch (error) {
      this.logger.warn({ jobId: job.doc.jobId, err: (error as Error).message }, 'handler result is not serialisable; completing the job without it');
      return { result: null, resultError: { message: `result not storable: ${(error as Error).message}`.slice(0, 500) } };
    }
    if (sizeBytes > limit) {
      this.logger.warn({ jobId: job.doc.jobId, sizeBytes, limit }, 'handler result over limits.maxResultBytes; completing the job without it');
      return { result: null, resultError: { message: `result of ${sizeBytes} bytes is over the ${limit}-byte limit (limits.maxResultBytes)`, sizeBytes } };
    }
    return { result, resultError: null };
  }

  /**
   * One completion written by itself: a write MongoDB refuses for this document (too large once
   * stored, say) completes the job without its result; a write that cannot reach MongoDB is retried
   * until the lease would have ended, then given up (the job runs again after the lease expires).
   */
  private async completeAlone(c: PendingCompletion): Promise<boolean> {
    let pause = COMPLETION_RETRY_MS;
    let { result, resultError } = c;
    for (;;) {
      try {
        const written = await withinStorageDeadline('complete a job', COMPLETION_WRITE_DEADLINE_MS, () => this.deps.store.complete(c.lease, c.attempt, result, new Date(), resultError));
        return written.ok;
      } catch (error) {
        if (!isStorageUnreachable(error) && result !== null) {
          this.logger.warn({ jobId: c.lease.jobId, err: (error as Error).message }, 'result refused by MongoDB; completing the job without it');
          resultError = { message: `result not storable: ${(error as Error).message}`.slice(0, 500) };
          result = null;
          continue;
        }
        if (Date.now() + pause > c.retryUntil) throw error;
        this.logger.warn({ jobId: c.lease.jobId, err: (error as Error).message }, 'completion not written; retrying');
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 1_000);
      }
    }
  }

  /** Records a failed attempt: retry with backoff, or dead-letter when exhausted or permanent. */
  async fail(job: ClaimedJob, error: unknown, durationMs: number): Promise<FailureOutcome> {
    const now = new Date();
    const attemptError = toAttemptError(error, job, durationMs, now);
    const permanent = isPermanent(error);
    if (!permanent && job.doc.attempts < job.doc.maxAttempts) {
      const delay =
        error instanceof RetryJobError
          ? Math.round(error.delayMs * this.deps.config.delayMultiplier)
          : backoffDelay(job.doc.backoff, job.doc.attempts);
      const runAt = new Date(now.getTime() + delay);
      const outcome = await this.deps.store.failForRetry(job.lease, attemptError, runAt, job.doc.lifo, now);
      if (!outcome.ok) {
        this.logFenced(job, 'failure');
        return 'fenced';
      }
      if (outcome.value.status === JobStatus.Pending) await this.offer([{ jobId: job.doc.jobId, priority: job.doc.priority, band: job.doc.band, orderKey: outcome.value.orderKey }]);
      return 'retry';
    }
    const reason = permanent
      ? `permanent failure: ${attemptError.message}`
      : `attempts exhausted (${job.doc.attempts}/${job.doc.maxAttempts}): ${attemptError.message}`;
    const dead = await this.deps.store.failToDead(job.lease, attemptError, reason, this.deps.config.dlq.autoMove, now);
    if (!dead.ok) {
      this.logFenced(job, 'failure');
      return 'fenced';
    }
    if (this.deps.config.dlq.autoMove) await this.recordDeadLetter(dead.value, reason);
    return 'dead';
  }

  /** Writes the DLQ entry of a job already marked dead, then clears its pending flag. Idempotent. */
  async recordDeadLetter(doc: JobDocument, reason: string): Promise<DlqDocument> {
    const now = new Date();
    const entry = await this.deps.dlqStore.recordDeadJob(doc, reason, now);
    await this.deps.store.confirmDeadLettered(doc._id, now);
    return entry;
  }

  async returnUnstarted(job: ClaimedJob, reason: string): Promise<void> {
    const outcome = await this.deps.store.returnUnstarted(job.lease, reason, new Date());
    if (outcome.ok) await this.offer([{ jobId: job.doc.jobId, priority: job.doc.priority, band: job.doc.band, orderKey: job.doc.orderKey }]);
  }

  /**
   * Records that the job's handler is about to start: its attempt now counts even if the worker
   * dies (a lease that expires without this mark gives the attempt back). Starts made in the same
   * tick (the jobs of one claim) share one write. False: the lease was lost; do not run.
   */
  async markStarted(job: ClaimedJob): Promise<boolean> {
    const marked = await new Promise<boolean>((resolve, reject) => {
      this.starts.push({ lease: job.lease, resolve, reject });
      if (!this.startsFlushing) {
        this.startsFlushing = true;
        setImmediate(() => void this.flushStarts());
      }
    });
    if (!marked) this.logFenced(job, 'start');
    return marked;
  }

  /** One start write at a time, so handlers start in the order they were claimed (FIFO within a band). */
  private async flushStarts(): Promise<void> {
    try {
      while (this.starts.length > 0) {
        const batch = this.starts.splice(0, this.starts.length);
        try {
          const marked = await this.deps.store.markStarted(batch.map((s) => s.lease), new Date());
          batch.forEach((s, i) => s.resolve(marked[i]));
        } catch (error) {
          batch.forEach((s) => s.reject(error));
        }
      }
    } finally {
      this.startsFlushing = false;
    }
  }

  async extendLease(job: ClaimedJob): Promise<boolean> {
    const outcome = await this.deps.store.extendLease(job.lease, this.deps.config.worker.lockTimeout, new Date());
    return outcome.ok;
  }

  /** Stores progress on the job (fenced), then publishes it to listeners in every process. */
  async recordProgress(job: ClaimedJob, progress: unknown): Promise<boolean> {
    const outcome = await this.deps.store.recordProgress(job.lease, progress, new Date());
    if (outcome.ok) {
      await this.deps.progress.publish(this.deps.redis, this.deps.keys.progress(), { queue: job.doc.queue, jobId: job.doc.jobId, progress });
    }
    return outcome.ok;
  }

  /** The job's redlock lock, held while its handler runs (null: held elsewhere, or Redis down). */
  async lockJob(jobId: string): Promise<JobLockHandle | null> {
    return this.deps.jobLocks.acquire(this.deps.keys.jobLock(jobId));
  }

  async extendJobLock(lock: JobLockHandle): Promise<JobLockHandle | null> {
    return this.deps.jobLocks.extend(lock as JobLock);
  }

  async releaseJobLock(lock: JobLockHandle): Promise<void> {
    await this.deps.jobLocks.release(lock as JobLock);
  }

  definition(type: string): JobDefinition {
    return this.deps.registry.get(type);
  }

  services(): JobServices {
    return this.deps.services();
  }

  async isPaused(maxAgeMs: number): Promise<boolean> {
    return this.deps.controls.isPaused(this.deps.controlQueue, maxAgeMs);
  }

  pausedLastKnown(): boolean {
    return this.deps.controls.lastKnown(this.deps.controlQueue);
  }

  private logFenced(job: ClaimedJob, what: string): void {
    this.logger.warn(
      { jobId: job.doc.jobId, workerId: job.lease.workerId, attempt: job.doc.attempts },
      `${what} refused: the lease was lost (expired and taken over, or the job was changed by an admin)`,
    );
  }
}

function toClaimed(doc: ClaimedJobDocument, workerId: string, source: ClaimedJob['source']): ClaimedJob {
  return { doc, source, lease: { jobId: doc.jobId, workerId, lockToken: doc.lockToken ?? '' } };
}

function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentJobError) return true;
  // Misuse detected while running (e.g. an unknown type) cannot succeed on retry either.
  if (error instanceof QueueError) return true;
  return (error as { name?: string } | null)?.name === 'PermanentJobError';
}

export function toAttemptError(error: unknown, job: ClaimedJob, durationMs: number, at: Date): JobAttemptError {
  const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
  const code = (err as { code?: unknown }).code;
  return {
    attempt: job.doc.attempts,
    message: err.message.slice(0, 2000),
    name: err.name,
    ...(code !== undefined ? { code: String(code) } : {}),
    ...(err.stack ? { stack: err.stack.slice(0, 8000) } : {}),
    workerId: job.lease.workerId,
    durationMs: Math.round(durationMs),
    at,
  };
}
