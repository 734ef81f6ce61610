import type Redis from 'ioredis';
import type { QueueConfig } from '../config/queue-config';
import type { JobDefinition, JobServices } from '../domain/job-definition';
import type { ClaimedJobDocument, Lease } from '../storage/job-store';

/** A job a worker has claimed: its document and the lease every later write must present. */
export interface ClaimedJob {
  doc: ClaimedJobDocument;
  lease: Lease;
  source: 'redis' | 'mongo';
}

export type FailureOutcome = 'retry' | 'dead' | 'fenced';

/** A held job lock (opaque to the worker: only the port that gave it reads it). */
export interface JobLockHandle {
  readonly resources: readonly string[];
}

/**
 * What a worker asks of its queue, and all it asks: the job operations (each a guarded write in
 * MongoDB; a `false` or `'fenced'` answer means the lease was lost), the per-job lock, the
 * handler of a type, and the pause switch. JobLifecycle implements it over MongoDB and Redis;
 * the worker's unit tests use an in-memory one.
 */
export interface WorkerPort {
  /** Redis connected and accepting writes: claims may overlap and the blocking wait is usable. */
  readonly redisUsable: boolean;
  /** Claims up to `count` ready jobs without waiting ([] when there is nothing to do). */
  take(workerId: string, count: number, typeBatchSize?: number): Promise<ClaimedJob[]>;
  /** Blocks on `client` until work arrives or `timeoutMs` passes, then claims it. */
  waitForWork(client: Redis, workerId: string, count: number, timeoutMs: number): Promise<ClaimedJob[]>;
  /** Marks the handler started (its attempt now counts); false: the lease was lost, do not run. */
  markStarted(job: ClaimedJob): Promise<boolean>;
  complete(job: ClaimedJob, result: unknown): Promise<boolean>;
  fail(job: ClaimedJob, error: unknown, durationMs: number): Promise<FailureOutcome>;
  /** Hands back a job taken but not started (its attempt is not spent). */
  returnUnstarted(job: ClaimedJob, reason: string): Promise<void>;
  extendLease(job: ClaimedJob): Promise<boolean>;
  recordProgress(job: ClaimedJob, progress: unknown): Promise<boolean>;
  /** The job's lock (null: held by another worker, or Redis cannot answer). */
  lockJob(jobId: string): Promise<JobLockHandle | null>;
  /** The extended lock, or null when it could not be extended (the lease still fences the job). */
  extendJobLock(lock: JobLockHandle): Promise<JobLockHandle | null>;
  releaseJobLock(lock: JobLockHandle): Promise<void>;
  /** The handler of a job type (throws the registry's typed error for an unknown one). */
  definition(type: string): JobDefinition;
  /** What handlers receive in their context. */
  services(): JobServices;
  /** Whether the queue is paused; `maxAgeMs` accepts the last value read or written if younger. */
  isPaused(maxAgeMs: number): Promise<boolean>;
  /** The pause switch as last read or written (no I/O). */
  pausedLastKnown(): boolean;
}

/** A worker's heartbeat as published for `queue workers` and the monitor. */
export interface WorkerAnnouncement {
  workerId: string;
  concurrency: number;
  currentJobs: string[];
  processedJobs: number;
  failedJobs: number;
  uptime: number;
}

/** Where a worker says it is alive, and that it left. */
export interface WorkerPresenceBoard {
  announce(presence: WorkerAnnouncement): Promise<void>;
  remove(workerId: string): Promise<void>;
}

/** A process-wide duty a worker turns on while it runs (maintenance): `release` turns its share off. */
export interface WorkerDuty {
  release(): Promise<void>;
}

/** What a started queue lends a worker. */
export interface WorkerBinding {
  port: WorkerPort;
  presence: WorkerPresenceBoard;
  /** A new Redis client for blocking waits (one per worker: a blocking command holds its connection). */
  blockingClient(): Redis;
  /** Turns on the queue's maintenance for as long as the worker runs. */
  maintenance(typeBatchSize: number): WorkerDuty;
}

/** What `new QueueWorker(host, ...)` takes: a queue it can start, then bind to (QueueManager is one). */
export interface WorkerHost {
  readonly config: QueueConfig;
  start(): Promise<void>;
  /** Valid once start() has resolved. */
  workerBinding(): WorkerBinding;
}
