import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { dlqCleanupIntervalMs } from '../config/durations';
import { JobStatus } from '../domain/job-status';
import type { QueueParts } from '../manager/queue-parts';
import type { TaskLeaseStore } from '../storage/task-lease-store';

/** What the maintenance of one queue works with. */
export type MaintenanceParts = Pick<QueueParts, 'config' | 'keys' | 'registry' | 'store' | 'lifecycle' | 'locks' | 'intake'> & { taskLeases: TaskLeaseStore };

/** What one sweep did. */
export interface SweepResult {
  expiredBatches: number;
  stalled: number;
  deadLettered: number;
  repaired: number;
}

/** Jobs handled per pass, so one pass never holds a lock for long. */
const PASS_LIMIT = 500;
/** The shipped retention job (jobs/maintenance), scheduled once per dlq.cleanupInterval when registered. */
const CLEANUP_JOB_TYPE = 'cleanup';
/** A dead job whose DLQ entry is still missing after this long is repaired (its mover crashed). */
const DLQ_REPAIR_AGE_MS = 5_000;

/**
 * Periodic work every worker process offers and one performs at a time (redlock task locks):
 * - scheduler (each poll interval): due scheduled jobs become pending and enter Redis;
 * - loader (each poll interval): renews aging or lost batches, refills the Redis bands from MongoDB;
 * - sweeper (each sweep interval): expired batches (all batches while Redis is down) and expired
 *   leases return to pending,
 *   stalled jobs with no attempts left and half-finished DLQ moves are dead-lettered.
 * With Redis down or refusing writes the tasks still run, one at a time under a MongoDB lease
 * (and each write is guarded, so running twice would cost work, never correctness).
 */
export class MaintenanceLoop {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();
  private readonly logger: Logger;
  /** This loop's name on MongoDB task leases. */
  private readonly holder = `maintenance-${randomUUID()}`;

  /** `typeBatchSize`: what the loader gives a job type without a batch size of its own (the worker's batchSize). */
  constructor(
    readonly parts: MaintenanceParts,
    logger: Logger,
    private readonly typeBatchSize?: number,
  ) {
    this.logger = logger.child({ component: 'maintenance' });
  }

  /** `sweeper: false` leaves the queue-wide sweep to a NamespaceMaintenance that runs one for many queues. */
  start(options: { sweeper?: boolean } = {}): void {
    const { pollInterval, sweepInterval } = this.parts.config.worker;
    this.every(pollInterval, 'scheduler', () => this.promoteDue());
    this.every(pollInterval, 'redis-write-probe', () => this.parts.lifecycle.probeRedisWrites());
    this.every(pollInterval, 'loader', () => this.parts.lifecycle.refreshAndLoad(undefined, this.typeBatchSize));
    if (options.sweeper ?? true) this.every(sweepInterval, 'sweeper', () => this.sweep());
    this.every(Math.min(dlqCleanupIntervalMs(this.parts.config), 60_000), 'cleanup-schedule', () => this.scheduleCleanup());
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await Promise.allSettled([...this.running]);
  }

  private every(intervalMs: number, task: string, run: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const pass = this.exclusive(task, Math.max(intervalMs * 3, 5_000), run)
        .catch((error: Error) => this.logger.warn({ task, err: error.message }, 'maintenance task failed; will retry'))
        .finally(() => {
          busy = false;
          this.running.delete(pass);
        });
      this.running.add(pass);
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * Runs a singleton task under its Redis task lock; when Redis cannot answer (down, refusing
   * writes), under a MongoDB lease instead, so exactly one process still runs it. The loader
   * takes its own lock (and has nothing to do without Redis).
   */
  private async exclusive(task: string, ttlMs: number, run: () => Promise<unknown>): Promise<unknown> {
    if (task === 'loader') return run();
    const underLease = () => this.underMongoLease(task, ttlMs, run);
    return this.parts.locks.runExclusive(this.parts.keys.taskLock(task), ttlMs, run, underLease);
  }

  private async underMongoLease(task: string, ttlMs: number, run: () => Promise<unknown>): Promise<unknown> {
    const { taskLeases } = this.parts;
    const id = `${this.parts.config.name}:${task}`;
    if (!(await taskLeases.tryTake(id, this.holder, ttlMs, new Date()))) return undefined;
    try {
      return await run();
    } finally {
      await taskLeases.release(id, this.holder).catch(() => undefined);
    }
  }

  /** scheduled → pending for due jobs, then into Redis. */
  async promoteDue(): Promise<number> {
    const { store } = this.parts;
    const due = await store.promoteDue(this.parts.config.name, new Date(), PASS_LIMIT);
    await this.parts.lifecycle.offer(due.map((d) => ({ jobId: d.jobId, priority: d.priority, band: d.band, orderKey: d.orderKey })));
    return due.length;
  }

  /**
   * Enqueues one `cleanup` job per dlq.cleanupInterval period. The jobId names the period, so
   * however many workers try, the period's cleanup is added (and run) once.
   */
  async scheduleCleanup(now = Date.now()): Promise<string | undefined> {
    if (!this.parts.registry.has(CLEANUP_JOB_TYPE)) return undefined;
    const period = Math.floor(now / dlqCleanupIntervalMs(this.parts.config));
    const result = await this.parts.intake.add({ type: CLEANUP_JOB_TYPE, data: {}, jobId: `${CLEANUP_JOB_TYPE}:${period}` }, 'scheduler');
    return result.deduplicated ? undefined : result.jobId;
  }

  /** One sweep: the queue-wide part, then this queue's own; returns what it did (for logs and tests). */
  async sweep(): Promise<SweepResult> {
    // With Redis down its batches cannot be taken: release them now rather than after batch.ttl.
    const released = await this.releaseWhileRedisDown();
    const shared = await this.sweepShared();
    const result = { ...shared, expiredBatches: shared.expiredBatches + released };
    await this.reloadIfReturned(result);
    return result;
  }

  /**
   * The queue-wide part of a sweep (every queue of the collection): expired batches and leases
   * return to pending, stalled jobs with no attempts left and half-finished DLQ moves are
   * dead-lettered.
   */
  async sweepShared(): Promise<SweepResult> {
    const { store } = this.parts;
    const now = new Date();
    const expiredBatches = await store.returnExpiredBatches(now);
    const stalled = await store.recoverStalled(now);
    let deadLettered = 0;
    for (const job of await store.findExhaustedStalled(now, PASS_LIMIT)) {
      const reason = `lease expired on its last attempt after the handler started (${job.attempts}/${job.maxAttempts}, worker ${job.lockedBy ?? 'unknown'})`;
      // Guarded like the find: only a run that started spends the last attempt.
      const moved = await store.markDead(job.jobId, [JobStatus.Processing], 'sweeper', reason, now, { queue: job.queue, lockedUntil: { $lt: now }, runStartedAt: { $ne: null } });
      if (moved.ok) {
        if (this.parts.config.dlq.autoMove) await this.parts.lifecycle.recordDeadLetter(moved.value, reason);
        deadLettered += 1;
      }
    }
    let repaired = 0;
    for (const job of await store.findDeadLetterPending(new Date(now.getTime() - DLQ_REPAIR_AGE_MS), PASS_LIMIT)) {
      await this.parts.lifecycle.recordDeadLetter(job, job.history.at(-1)?.reason ?? 'dead-lettered');
      repaired += 1;
    }
    if (expiredBatches + stalled + deadLettered + repaired > 0) {
      this.logger.info({ expiredBatches, stalled, deadLettered, repaired }, 'sweep recovered jobs');
    }
    return { expiredBatches, stalled, deadLettered, repaired };
  }

  /** This queue's part of a sweep another queue's loop made: its batches while Redis is down, then a reload. */
  async sweepOwn(shared: SweepResult): Promise<void> {
    const released = await this.releaseWhileRedisDown();
    await this.reloadIfReturned({ ...shared, expiredBatches: shared.expiredBatches + released });
  }

  private async releaseWhileRedisDown(): Promise<number> {
    return this.parts.lifecycle.redisUsable ? 0 : this.parts.lifecycle.upkeep.releaseWhileRedisDown();
  }

  /** Returned jobs are pending again; the loader puts them back into Redis. */
  private async reloadIfReturned(result: SweepResult): Promise<void> {
    if (result.expiredBatches + result.stalled > 0) await this.parts.lifecycle.loadBatches(undefined, undefined, this.typeBatchSize);
  }
}
