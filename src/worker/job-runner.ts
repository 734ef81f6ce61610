import type { Logger } from 'pino';
import type { JobContext } from '../domain/job-definition';
import { JobAbortedError, JobTimeoutError, LeaseLostError } from '../errors';
import type { WorkerEvents } from './worker-events';
import type { ClaimedJob, JobLockHandle, WorkerPort } from './worker-port';

export type RunOutcome = 'completed' | 'retry' | 'dead' | 'fenced' | 'returned';

/**
 * Runs one claimed job: takes its redlock lock, calls the handler with a context, keeps the
 * lease and the lock alive while it runs, enforces the timeout through the AbortSignal,
 * and records the outcome. Never throws: every path ends in a recorded outcome.
 */
export class JobRunner {
  private readonly releases = new Set<Promise<void>>();

  /** `heartbeatIntervalMs`: how often a running job's lease and lock are extended. */
  constructor(
    private readonly port: WorkerPort,
    private readonly logger: Logger,
    private readonly workerId: string,
    private readonly events: WorkerEvents,
    private readonly heartbeatIntervalMs: number,
  ) {}

  /** `handlerDone` is called once the handler has settled, before its outcome is written. */
  async run(job: ClaimedJob, shutdownSignal: AbortSignal, handlerDone: () => void = () => undefined): Promise<RunOutcome> {
    const log = this.logger.child({ jobId: job.doc.jobId, type: job.doc.type, attempt: job.doc.attempts });
    let lock: JobLockHandle | null = null;
    if (this.port.redisUsable) {
      lock = await this.port.lockJob(job.doc.jobId);
      if (!lock && this.port.redisUsable) {
        // Someone still holds the job's lock (a worker whose lease just expired): do not run it twice at once.
        try {
          await this.port.returnUnstarted(job, 'job lock held by another worker');
        } catch (error) {
          // MongoDB unreachable: the lease expires and the sweeper returns the job; the worker carries on.
          log.warn({ err: (error as Error).message }, 'could not hand back a job whose lock is held elsewhere; its lease will expire');
        }
        this.events.emit('returned', { jobId: job.doc.jobId, reason: 'job lock held by another worker' });
        return 'returned';
      }
    }
    const start = await this.recordStart(job, log);
    if (start !== 'started') {
      if (lock) this.track(this.port.releaseJobLock(lock));
      return start;
    }
    const started = performance.now();
    const controller = new AbortController();
    const abort = (reason: Error) => {
      if (!controller.signal.aborted) controller.abort(reason);
    };
    const onShutdown = () => abort(new JobAbortedError('worker shutting down: grace period over'));
    shutdownSignal.addEventListener('abort', onShutdown, { once: true });
    const timeout = setTimeout(() => abort(new JobTimeoutError(job.doc.timeoutMs)), job.doc.timeoutMs);
    const heartbeat = setInterval(() => {
      void this.heartbeat(job, lock, log).then((kept) => {
        if (!kept.lease) {
          log.warn({ workerId: this.workerId }, 'lease lost (the job moved on): aborting the handler');
          abort(new LeaseLostError(job.doc.jobId));
        }
        lock = kept.lock;
      });
    }, this.heartbeatIntervalMs);
    try {
      let result: unknown;
      try {
        result = await this.invoke(job, controller.signal, log).finally(handlerDone);
      } catch (error) {
        return await this.recordFailure(job, error, started, log);
      }
      // The handler succeeded: a completion that cannot be written is never a failed attempt.
      const recorded = await this.port.complete(job, result).catch((writeError: Error) => {
        log.error({ err: writeError.message }, 'could not record the completion within the lease; the job runs again after the lease expires');
        return false;
      });
      const durationMs = performance.now() - started;
      log.debug({ durationMs: Math.round(durationMs) }, recorded ? 'job completed' : 'job completed but fenced');
      if (recorded) this.events.emit('completed', { ...this.describe(job), durationMs });
      else this.events.emit('fenced', { jobId: job.doc.jobId, type: job.doc.type });
      return recorded ? 'completed' : 'fenced';
    } finally {
      clearTimeout(timeout);
      clearInterval(heartbeat);
      shutdownSignal.removeEventListener('abort', onShutdown);
      // Released without holding up the slot: the outcome is recorded, and the lock's TTL covers a lost release.
      if (lock) this.track(this.port.releaseJobLock(lock));
    }
  }

  /**
   * Marks the job started before its handler runs, so a claim that never ran (a lost reply, a crash
   * before this point) gives its attempt back when its lease expires, and one that ran keeps it.
   * Without the mark the handler does not run: the lease was lost, or MongoDB is unreachable (the
   * job is handed back, or its lease expires unstarted).
   */
  private async recordStart(job: ClaimedJob, log: Logger): Promise<'started' | 'fenced' | 'returned'> {
    let marked: boolean;
    try {
      marked = await this.port.markStarted(job);
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not record the start; handing the job back unstarted');
      const reason = 'start not recorded (MongoDB unreachable)';
      await this.port.returnUnstarted(job, reason).catch(() => undefined);
      this.events.emit('returned', { jobId: job.doc.jobId, reason });
      return 'returned';
    }
    if (marked) return 'started';
    this.events.emit('fenced', { jobId: job.doc.jobId, type: job.doc.type });
    return 'fenced';
  }

  /** A failed attempt: retried or dead-lettered; a failure that cannot be recorded is left to the lease's expiry. */
  private async recordFailure(job: ClaimedJob, error: unknown, started: number, log: Logger): Promise<RunOutcome> {
    const durationMs = performance.now() - started;
    const outcome = await this.port.fail(job, error, durationMs).catch((recordError: Error) => {
      log.error({ err: recordError.message }, 'could not record the failure; the lease will expire and the job runs again');
      return 'fenced' as const;
    });
    log.info({ err: (error as Error)?.message, outcome, durationMs: Math.round(durationMs) }, 'job attempt failed');
    if (outcome === 'fenced') this.events.emit('fenced', { jobId: job.doc.jobId, type: job.doc.type });
    else this.events.emit('failed', { ...this.describe(job), durationMs, outcome, error: (error as Error)?.message ?? String(error) });
    return outcome;
  }

  /** The handler's promise raced against the abort signal: a handler that ignores its signal is abandoned. */
  private async invoke(job: ClaimedJob, signal: AbortSignal, log: Logger): Promise<unknown> {
    const definition = this.port.definition(job.doc.type);
    const context: JobContext = {
      jobId: job.doc.jobId,
      type: job.doc.type,
      queue: job.doc.queue,
      attempt: job.doc.attempts,
      maxAttempts: job.doc.maxAttempts,
      priority: job.doc.priority,
      band: job.doc.band,
      createdAt: job.doc.createdAt,
      workerId: this.workerId,
      logger: log,
      signal,
      services: this.port.services(),
      reportProgress: async (progress) => {
        try {
          await this.port.recordProgress(job, progress);
        } catch (error) {
          log.warn({ err: (error as Error).message }, 'could not record progress');
        }
      },
    };
    if (signal.aborted) throw signal.reason;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      definition.handle(job.doc.data, context).then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Waits for lock releases still in flight (graceful shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.releases]);
  }

  private track(release: Promise<void>): void {
    this.releases.add(release);
    void release.finally(() => this.releases.delete(release));
  }

  private describe(job: ClaimedJob): { jobId: string; type: string; band: string; attempt: number } {
    return { jobId: job.doc.jobId, type: job.doc.type, band: job.doc.band, attempt: job.doc.attempts };
  }

  /**
   * Extends the MongoDB lease and the Redis lock independently: one store failing never stops the
   * other's extension. `lease` is false only when MongoDB refused the extension (the job moved on);
   * an unreachable MongoDB keeps the handler running (a real expiry fences its completion).
   */
  private async heartbeat(job: ClaimedJob, lock: JobLockHandle | null, log: Logger): Promise<{ lease: boolean; lock: JobLockHandle | null }> {
    const [lease, extended] = await Promise.all([
      this.port.extendLease(job).then(
        (ok) => (ok ? ('extended' as const) : ('refused' as const)),
        (error: Error) => {
          log.warn({ err: error.message }, 'lease extension failed; MongoDB unreachable');
          return 'unreachable' as const;
        },
      ),
      lock ? this.port.extendJobLock(lock) : Promise.resolve(null),
    ]);
    if (lease === 'extended') this.events.emit('leaseExtended', { jobId: job.doc.jobId });
    return { lease: lease !== 'refused', lock: extended ?? lock };
  }
}
