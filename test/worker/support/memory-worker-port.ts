import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ObjectId } from 'mongodb';
import type { Connection } from 'mongoose';
import { resolveQueueConfig, type QueueConfig } from '../../../src/config/queue-config';
import type { JobDefinition, JobServices } from '../../../src/domain/job-definition';
import { JobStatus } from '../../../src/domain/job-status';
import type { QueueRetention } from '../../../src/domain/retention-rule';
import { UnknownJobTypeError } from '../../../src/errors';
import type {
  ClaimedJob,
  FailureOutcome,
  JobLockHandle,
  WorkerAnnouncement,
  WorkerBinding,
  WorkerHost,
  WorkerPort,
} from '../../../src/worker/worker-port';

/** One job as the in-memory queue holds it. */
export interface MemoryJob {
  jobId: string;
  type: string;
  data: unknown;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number;
  /** The token of the claim that holds it (fencing), null when no claim does. */
  token: string | null;
  started: boolean;
  result?: unknown;
  errors: unknown[];
}

/**
 * The worker port over an in-memory list, with the same guards as the real one: every write
 * presents the claim's token, and a job whose lease was taken away (loseLease) refuses them.
 * Knobs for the tests: a gate that holds claims, a pause switch, lost leases.
 */
export class MemoryWorkerPort implements WorkerPort {
  readonly jobs = new Map<string, MemoryJob>();
  readonly returned: Array<{ jobId: string; reason: string }> = [];
  readonly takes: Array<{ workerId: string; count: number }> = [];
  readonly failures: Array<{ jobId: string; error: unknown; outcome: FailureOutcome }> = [];
  redisUsable = false;
  paused = false;
  /** While set, take() waits for it before answering (a claim in flight). */
  takeGate: Promise<void> | undefined;
  private readonly ready: string[] = [];
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly lostLeases = new Set<string>();

  constructor(definitions: readonly JobDefinition[]) {
    for (const definition of definitions) this.definitions.set(definition.type, definition);
  }

  add(type: string, data: unknown, options: { maxAttempts?: number; timeoutMs?: number } = {}): string {
    const jobId = randomUUID();
    this.jobs.set(jobId, { jobId, type, data, status: JobStatus.Pending, attempts: 0, maxAttempts: options.maxAttempts ?? 3, timeoutMs: options.timeoutMs ?? 5_000, token: null, started: false, errors: [] });
    this.ready.push(jobId);
    return jobId;
  }

  /** The job's lease moves on (expired and taken over): every later write of the holder is refused. */
  loseLease(jobId: string): void {
    this.lostLeases.add(jobId);
  }

  count(status: JobStatus): number {
    return [...this.jobs.values()].filter((job) => job.status === status).length;
  }

  async take(workerId: string, count: number): Promise<ClaimedJob[]> {
    this.takes.push({ workerId, count });
    if (this.takeGate) await this.takeGate;
    return this.ready.splice(0, count).map((jobId) => this.claim(jobId, workerId));
  }

  async waitForWork(): Promise<ClaimedJob[]> {
    // redisUsable is false: the worker polls with take() instead.
    return [];
  }

  async markStarted(job: ClaimedJob): Promise<boolean> {
    const held = this.held(job);
    if (held) held.started = true;
    return held !== undefined;
  }

  async complete(job: ClaimedJob, result: unknown): Promise<boolean> {
    const held = this.held(job);
    if (!held) return false;
    Object.assign(held, { status: JobStatus.Completed, result, token: null });
    return true;
  }

  async fail(job: ClaimedJob, error: unknown): Promise<FailureOutcome> {
    const held = this.held(job);
    let outcome: FailureOutcome = 'fenced';
    if (held) {
      held.errors.push(error);
      held.token = null;
      outcome = held.attempts < held.maxAttempts ? 'retry' : 'dead';
      held.status = outcome === 'retry' ? JobStatus.Pending : JobStatus.Dead;
      if (outcome === 'retry') this.ready.push(held.jobId);
    }
    this.failures.push({ jobId: job.doc.jobId, error, outcome });
    return outcome;
  }

  async returnUnstarted(job: ClaimedJob, reason: string): Promise<void> {
    const held = this.held(job);
    if (!held || held.started) return;
    Object.assign(held, { status: JobStatus.Pending, token: null, attempts: held.attempts - 1 });
    this.ready.unshift(held.jobId);
    this.returned.push({ jobId: held.jobId, reason });
  }

  async extendLease(job: ClaimedJob): Promise<boolean> {
    return this.held(job) !== undefined;
  }

  async recordProgress(job: ClaimedJob): Promise<boolean> {
    return this.held(job) !== undefined;
  }

  async lockJob(jobId: string): Promise<JobLockHandle | null> {
    return { resources: [jobId] };
  }

  async extendJobLock(lock: JobLockHandle): Promise<JobLockHandle | null> {
    return lock;
  }

  async releaseJobLock(): Promise<void> {}

  definition(type: string): JobDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new UnknownJobTypeError(type, [...this.definitions.keys()]);
    return definition;
  }

  services(): JobServices {
    return {
      get mongo(): Connection {
        throw new Error('the in-memory worker port has no MongoDB');
      },
      get retention(): QueueRetention {
        throw new Error('the in-memory worker port keeps no retention');
      },
      redis: null,
      cacheKey: (name) => `memory:${name}`,
      enqueue: async (input) => ({ jobId: this.add(input.type, input.data), deduplicated: false }),
      settings: { queue: 'memory', namespace: 'memory', cacheTtlMs: 60_000, dlqRetentionDays: 30 },
    };
  }

  async isPaused(): Promise<boolean> {
    return this.paused;
  }

  pausedLastKnown(): boolean {
    return this.paused;
  }

  private claim(jobId: string, workerId: string): ClaimedJob {
    const job = this.jobs.get(jobId)!;
    const token = randomUUID();
    Object.assign(job, { status: JobStatus.Processing, token, started: false, attempts: job.attempts + 1 });
    this.lostLeases.delete(jobId);
    const now = new Date();
    return {
      source: 'mongo',
      lease: { jobId, workerId, lockToken: token },
      doc: {
        _id: new ObjectId(),
        jobId,
        queue: 'memory',
        type: job.type,
        data: job.data,
        priority: 7,
        band: 'NORMAL',
        orderKey: now.getTime(),
        lifo: false,
        status: JobStatus.Processing,
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        backoff: { type: 'fixed', delay: 0 },
        timeoutMs: job.timeoutMs,
        runAt: now,
        createdAt: now,
        updatedAt: now,
        lockedBy: workerId,
        lockToken: token,
      },
    };
  }

  /** The job if this claim still holds it (the lease guard of every write). */
  private held(job: ClaimedJob): MemoryJob | undefined {
    const stored = this.jobs.get(job.lease.jobId);
    if (!stored || stored.token !== job.lease.lockToken || this.lostLeases.has(job.lease.jobId)) return undefined;
    return stored;
  }
}

/** A queue host over the in-memory port: what `new QueueWorker(host, ...)` takes. */
export class MemoryWorkerHost implements WorkerHost {
  readonly config: QueueConfig;
  readonly presence = new Map<string, WorkerAnnouncement>();
  maintenanceHolders = 0;
  private readonly clients: Redis[] = [];

  constructor(
    readonly port: MemoryWorkerPort,
    worker: { heartbeatInterval?: number; shutdownTimeout?: number } = {},
  ) {
    this.config = resolveQueueConfig({ name: 'memory', mongodb: { uri: 'mongodb://127.0.0.1:1/unused' }, worker: { pollInterval: 10, heartbeatInterval: worker.heartbeatInterval ?? 20, shutdownTimeout: worker.shutdownTimeout ?? 2_000 } });
  }

  async start(): Promise<void> {}

  workerBinding(): WorkerBinding {
    return {
      port: this.port,
      presence: {
        announce: async (presence) => void this.presence.set(presence.workerId, presence),
        remove: async (workerId) => void this.presence.delete(workerId),
      },
      // Never connected: the port says Redis is not usable, so the worker polls instead of blocking.
      blockingClient: () => {
        const client = new Redis({ lazyConnect: true });
        this.clients.push(client);
        return client;
      },
      maintenance: () => {
        this.maintenanceHolders += 1;
        return { release: async () => void (this.maintenanceHolders -= 1) };
      },
    };
  }
}
