import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import { NotStartedError } from '../errors';
import { JobRunner } from './job-runner';
import { WorkerEvents } from './worker-events';
import type { ClaimedJob, WorkerBinding, WorkerDuty, WorkerHost, WorkerPort } from './worker-port';

/** Claims one worker keeps in flight at once. */
const MAX_CLAIMS_IN_FLIGHT = 2;

export interface WorkerStats {
  workerId: string;
  isRunning: boolean;
  processedJobs: number;
  failedJobs: number;
  /** Attempts that failed and were scheduled again. */
  retriedJobs: number;
  /** Results refused because the lease had been lost. */
  fencedJobs: number;
  /** Milliseconds since start() (0 while stopped). */
  uptime: number;
  concurrency: number;
  /** The job running now (the first of them when several run), null when idle. */
  currentJob: string | null;
  /** Every job this worker has taken and not yet recorded. */
  currentJobs: string[];
  /** Last time the loop took work or found none (liveness). */
  lastActivityAt: Date | null;
  /** Not starting jobs: paused here, or the queue paused (as last read). */
  paused: boolean;
}

/**
 * Takes jobs in priority order and runs them, `concurrency` at a time.
 * The loop: claim up to the free slots (Redis batch first); with nothing to do, block on
 * Redis until a job arrives (or poll MongoDB while Redis is down). stop() is graceful.
 */
export class QueueWorker {
  readonly workerId: string;
  /** completed / failed / fenced / leaseExtended / returned, for metrics and logs. */
  readonly events = new WorkerEvents();
  private readonly logger: Logger;
  private presenceTimer: NodeJS.Timeout | undefined;
  /** Jobs taken and not yet recorded (running, or their outcome being written). */
  private readonly active = new Map<string, Promise<void>>();
  /** Handlers running now: what `concurrency` bounds. */
  private handlersRunning = 0;
  /** Claims in flight, the slots they reserved, and when one last failed. */
  private readonly claims = new Set<Promise<number>>();
  private reservedSlots = 0;
  /** The last claim found nothing: the next one waits for its answer (and idles) instead of spinning. */
  private dry = false;
  private lastClaimErrorAt = 0;
  private readonly handBacks = new Set<Promise<void>>();
  /** Settles when the latest claim has launched its jobs (see claim()). */
  private acceptTurn: Promise<void> = Promise.resolve();
  /** Jobs asked for per claim. */
  private readonly claimSize: number;
  private readonly shutdown = new AbortController();
  private running = false;
  private loop: Promise<void> | undefined;
  private blocking: Redis | undefined;
  private maintenance: WorkerDuty | undefined;
  /** What the queue lent this worker at start() (its port, presence board, clients). */
  private binding: WorkerBinding | undefined;
  private runner: JobRunner | undefined;
  private startedAt = 0;
  private slotFreed: (() => void) | undefined;
  private wakeIdle: (() => void) | undefined;
  /** Free slots that trigger a claim while other jobs are still running. */
  private readonly refillAt: number;
  private stats = { processed: 0, failed: 0, retried: 0, fenced: 0, lastActivityAt: null as Date | null };
  /** Paused here only (pause()); the queue-wide switch lives in the manager's control store. */
  private pausedLocally = false;

  /** `host`: the queue to work on (a QueueManager, or anything that lends a WorkerBinding once started). */
  constructor(
    private readonly host: WorkerHost,
    logger: Logger,
    readonly concurrency = host.config.worker.concurrency,
    /** Most jobs per claim, and what a load this worker runs gives each job type without a batch size of its own. */
    readonly batchSize = Math.min(host.config.batch.size, 50),
    readonly pollIntervalMs = host.config.worker.pollInterval,
    workerId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    if (!(pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be positive, got ${pollIntervalMs}`);
    this.workerId = workerId;
    this.refillAt = Math.max(1, Math.min(batchSize, Math.floor(concurrency / 4)));
    // Half the slots per claim, so two claims can be in flight while jobs run.
    this.claimSize = Math.min(batchSize, Math.max(this.refillAt, Math.ceil(concurrency / 2)));
    // Every running job listens on the shutdown signal: allow one listener per slot without a leak warning.
    setMaxListeners(Math.max(10, 2 * concurrency + 10), this.shutdown.signal);
    // Counted when the outcome is recorded in MongoDB (not after the job lock's release), so the
    // stats never lag behind what MongoDB already shows.
    this.events.on('completed', () => (this.stats.processed += 1));
    this.events.on('failed', (e) => {
      if (e.outcome === 'dead') this.stats.failed += 1;
      else this.stats.retried += 1;
    });
    this.events.on('fenced', () => (this.stats.fenced += 1));
    this.logger = logger.child({ component: 'worker', workerId });
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.host.start();
    const binding = this.host.workerBinding();
    this.binding = binding;
    this.running = true;
    this.startedAt = Date.now();
    this.runner = new JobRunner(binding.port, this.logger, this.workerId, this.events, this.host.config.worker.heartbeatInterval);
    this.blocking = binding.blockingClient();
    this.maintenance = binding.maintenance(this.batchSize);
    this.loop = this.runLoop();
    this.presenceTimer = setInterval(() => void this.announce().catch(() => undefined), this.host.config.worker.heartbeatInterval);
    this.presenceTimer.unref();
    void this.announce().catch(() => undefined);
    this.logger.info({ concurrency: this.concurrency, batchSize: this.batchSize, pollIntervalMs: this.pollIntervalMs }, 'worker started');
  }

  /**
   * Graceful stop: take no more work, let in-flight jobs finish within the grace period
   * (then abort them through their signal), hand back anything taken but not started,
   * release locks and connections.
   */
  async stop(graceMs = this.host.config.worker.shutdownTimeout): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeIdle?.();
    this.notifyChange();
    this.blocking?.disconnect();
    await this.loop;
    // Claims still answering hand their jobs back (the worker no longer runs).
    await Promise.allSettled([...this.claims]);
    const inFlight = Promise.allSettled([...this.active.values()]);
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), graceMs);
    });
    if ((await Promise.race([inFlight.then(() => 'done' as const), graceOver])) === 'timeout') {
      this.logger.warn({ jobs: [...this.active.keys()] }, 'grace period over: aborting running jobs');
      this.shutdown.abort();
      await inFlight;
    }
    clearTimeout(graceTimer);
    await Promise.allSettled([...this.handBacks]);
    await this.runner?.settle();
    clearInterval(this.presenceTimer);
    await this.binding?.presence.remove(this.workerId);
    await this.maintenance?.release();
    this.logger.info({ processed: this.stats.processed, failed: this.stats.failed }, 'worker stopped');
  }

  /** Stops this worker from starting jobs (running ones finish); other workers are unaffected. */
  pause(): void {
    this.pausedLocally = true;
  }

  resume(): void {
    this.pausedLocally = false;
    this.wakeIdle?.();
  }

  get isPaused(): boolean {
    return this.pausedLocally;
  }

  /**
   * True while this worker must not start jobs: paused here, or the queue paused (read from
   * MongoDB at most once per poll interval; a failed read keeps the last known state).
   */
  private async holding(): Promise<boolean> {
    if (this.pausedLocally) return true;
    try {
      return await this.port.isPaused(this.pollIntervalMs);
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'could not read the pause switch');
      return this.port.pausedLastKnown();
    }
  }

  getStats(): WorkerStats {
    const current = [...this.active.keys()];
    return {
      workerId: this.workerId,
      isRunning: this.running,
      processedJobs: this.stats.processed,
      failedJobs: this.stats.failed,
      retriedJobs: this.stats.retried,
      fencedJobs: this.stats.fenced,
      uptime: this.running ? Date.now() - this.startedAt : 0,
      concurrency: this.concurrency,
      currentJob: current[0] ?? null,
      currentJobs: current,
      lastActivityAt: this.stats.lastActivityAt,
      paused: this.pausedLocally || (this.running && this.port.pausedLastKnown()),
    };
  }

  /** Publishes this worker's heartbeat (who it is, what it runs) for `queue workers` and the monitor. */
  private async announce(): Promise<void> {
    await this.binding?.presence.announce(this.getStats());
  }

  /**
   * The claim loop. A slot frees when its handler returns; the outcome is written meanwhile (group
   * commit), so claims overlap those writes, and up to MAX_CLAIMS_IN_FLIGHT claims (each of up to
   * claimSize jobs) run at once so one claim's round trips hide behind another's. Slots a claim
   * asked for stay reserved until it answers. Jobs whose outcome is still being written count
   * against a second `concurrency`, which bounds that backlog when MongoDB is slow.
   */
  private async runLoop(): Promise<void> {
    while (this.running) {
      try {
        if (await this.holding()) {
          this.stats.lastActivityAt = new Date();
          await this.sleep(this.pollIntervalMs);
          continue;
        }
        if (Date.now() - this.lastClaimErrorAt < this.pollIntervalMs) {
          await this.sleep(this.pollIntervalMs);
          continue;
        }
        const room = Math.min(this.concurrency - this.handlersRunning, 2 * this.concurrency - this.active.size) - this.reservedSlots;
        const busy = this.handlersRunning + this.claims.size > 0;
        // While jobs run, claim once a quarter of the slots is free: one claim (ZMPOP + update + find)
        // then serves several jobs instead of one findAndModify per slot.
        // Claims straight from MongoDB (Redis unusable) go one at a time: two overlapping ones read the
        // same head of the queue and either may win it, so the later claim could hold the earlier jobs.
        const claimsAllowed = this.port.redisUsable ? MAX_CLAIMS_IN_FLIGHT : 1;
        if (room <= 0 || (busy && room < this.refillAt) || this.claims.size >= claimsAllowed) {
          await this.nextChange();
          continue;
        }
        const want = Math.min(room, this.claimSize);
        // With nothing else going on, or after a claim came back empty, wait for this claim's answer:
        // an empty one leads to the blocking wait, not to another claim at once.
        const awaitAnswer = !busy || this.dry;
        const claim = this.claim(want);
        if (awaitAnswer && (await claim) === 0 && this.running) {
          const woken = await this.idle(want);
          this.dry = woken.length === 0;
          this.accept(woken);
        }
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'worker loop error; retrying after the poll interval');
        // A loop that fails and retries (MongoDB down) is alive: liveness must not restart it.
        this.stats.lastActivityAt = new Date();
        await this.sleep(this.pollIntervalMs);
      }
    }
  }

  /** Claims up to `want` jobs (slots reserved meanwhile) and launches them; resolves with how many it got. */
  private claim(want: number): Promise<number> {
    this.reservedSlots += want;
    // Claims answer in any order; their jobs start in the order the claims were made, so two
    // overlapping claims of one band keep its FIFO/LIFO order.
    const previous = this.acceptTurn;
    let done!: () => void;
    this.acceptTurn = new Promise<void>((resolve) => (done = resolve));
    const claim: Promise<number> = this.port
      .take(this.workerId, want, this.batchSize)
      .then(async (jobs) => {
        await previous;
        this.reservedSlots -= want;
        this.dry = jobs.length === 0;
        this.accept(jobs);
        return jobs.length;
      })
      .catch((error: Error) => {
        this.reservedSlots -= want;
        this.lastClaimErrorAt = Date.now();
        this.logger.warn({ err: error.message }, 'claim failed; retrying after the poll interval');
        return 0;
      })
      .finally(() => {
        done();
        this.claims.delete(claim);
        this.stats.lastActivityAt = new Date();
        this.notifyChange();
      });
    this.claims.add(claim);
    return claim;
  }

  /** Starts claimed jobs, or hands them back when the worker is stopping or paused. */
  private accept(jobs: ClaimedJob[]): void {
    for (const job of jobs) {
      if (this.running && !this.pausedLocally && !this.port.pausedLastKnown()) this.launch(job);
      else this.track(this.port.returnUnstarted(job, this.running ? 'worker paused' : 'worker stopping'));
    }
  }

  /** Resolves when a slot frees, a claim answers, or the worker stops or resumes. */
  private nextChange(): Promise<void> {
    return new Promise<void>((resolve) => (this.slotFreed = resolve));
  }

  private notifyChange(): void {
    const wake = this.slotFreed;
    this.slotFreed = undefined;
    wake?.();
  }

  /** Hand-backs in flight, awaited by stop(). */
  private track(work: Promise<unknown>): void {
    const settled: Promise<void> = work
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn({ err: error.message }, 'could not hand a job back; its lease will expire'))
      .finally(() => this.handBacks.delete(settled));
    this.handBacks.add(settled);
  }

  /** Nothing to do: wait for a wake-up on Redis, or poll MongoDB while Redis is down. */
  private async idle(want: number): Promise<ClaimedJob[]> {
    const blocking = this.blocking;
    if (blocking && blocking.status === 'ready' && this.port.redisUsable) {
      try {
        return await this.port.waitForWork(blocking, this.workerId, want, this.pollIntervalMs);
      } catch (error) {
        if (!this.running) return [];
        this.logger.debug({ err: (error as Error).message }, 'blocking pop failed');
      }
    }
    await this.sleep(this.pollIntervalMs);
    return [];
  }

  private launch(job: ClaimedJob): void {
    const runner = this.runner;
    if (!runner) return;
    this.handlersRunning += 1;
    let slotHeld = true;
    const freeSlot = () => {
      if (!slotHeld) return;
      slotHeld = false;
      this.handlersRunning -= 1;
      this.notifyChange();
    };
    const run = runner
      .run(job, this.shutdown.signal, freeSlot)
      .then(
        () => undefined,
        // run() records every outcome itself; whatever still escapes must not end the process.
        (error: Error) => this.logger.error({ jobId: job.doc.jobId, err: error?.message ?? String(error) }, 'job run failed unexpectedly; its lease will expire'),
      )
      .finally(() => {
        this.active.delete(job.doc.jobId);
        freeSlot();
        this.notifyChange();
      });
    this.active.set(job.doc.jobId, run);
  }

  /** The port the worker was bound to at start() (the loop runs only after that). */
  private get port(): WorkerPort {
    if (!this.binding) throw new NotStartedError('QueueWorker');
    return this.binding.port;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeIdle = done;
    });
  }
}
