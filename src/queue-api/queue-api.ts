/**
 * The named-queue API. `Queue<T>` is the documented interface every backend (QueuePlugin)
 * implements, nothing more; `NamedQueue<T>` is what `QueueManager.getQueue(name)` returns: the
 * same methods plus the product's richer ones (cron schedules, LIFO, pause, metrics, progress).
 */

/** What a consumer receives. */
export interface QueueJob<T = unknown> {
  /** The id `enqueue` returned (the caller's jobId when one was given). */
  id: string;
  data: T;
  /** Higher runs first (default 0). */
  priority?: number;
  /** When the job was enqueued. */
  timestamp: Date;
  /** Attempts so far by this consumer group, this one included (1 on the first run). */
  attempts?: number;
}

/** A job as the product's backends deliver it: priority and attempts always filled in. */
export interface DeliveredJob<T = unknown> extends QueueJob<T> {
  priority: number;
  attempts: number;
}

/** The documented consumer: called once per delivery; a rejection counts as a failed attempt. */
export type QueueConsumer<T = unknown> = (job: QueueJob<T>) => Promise<void>;

/** The second argument of a handler given to a NamedQueue: what it may do besides returning. */
export interface QueueJobContext {
  consumerGroup: string;
  /** Aborted when the consumer stops past its grace period; pass it on to I/O. */
  signal: AbortSignal;
  /** Records progress and emits it to every `onProgress` listener (in any process, where the backend can). */
  reportProgress(progress: number | Record<string, unknown>): Promise<void>;
}

/** A consumer of a NamedQueue: the job with priority and attempts, and a context. */
export type QueueHandler<T> = (job: DeliveredJob<T>, context: QueueJobContext) => Promise<unknown>;

/** The documented enqueue options. */
export interface QueueEnqueueOptions {
  /** Higher runs first; integer 0–100, default 0. */
  priority?: number;
  /** Seconds before the job may run (scaled by the backend's delayMultiplier). */
  startDelay?: number;
  /** Caller id: enqueueing an id that exists returns it and enqueues nothing. */
  jobId?: string;
}

/** Enqueue options of a NamedQueue: the documented ones plus the product's. */
export interface EnqueueOptions extends QueueEnqueueOptions {
  /** Newest first within its priority (default: FIFO). */
  lifo?: boolean;
  /** Attempts of this message in each group, the first included (default: the group's maxRetries + 1). */
  attempts?: number;
  /** Delay between this message's attempts (default: the group's 2^attempt × 1 s). */
  backoff?: MessageBackoff;
}

/**
 * A message's own retry delay, in seconds (scaled by the backend's delayMultiplier): `fixed` waits
 * delaySeconds after each failed attempt, `exponential` waits 2^(attempt-1) × delaySeconds.
 */
export interface MessageBackoff {
  type: 'exponential' | 'fixed';
  delaySeconds: number;
}

export interface ConsumeOptions {
  /** Consumers sharing a group compete for jobs; each distinct group receives every job. */
  consumerGroup: string;
  /** Retries after the first failed attempt (default 3), with backoff 2^attempt × 1 s. */
  maxRetries?: number;
  /** Jobs this consumer runs at once (default: the backend's concurrency). */
  concurrency?: number;
}

/** A fixed interval in seconds, or a cron expression (5 fields, or 6 with seconds first). */
export type RecurringSchedule = number | { cron: string; timezone?: string };

/** The documented options of scheduleRecurring. */
export interface QueueRecurringOptions {
  /** Seconds before the first run (interval schedules; default: one interval; 0 runs at once). */
  startDelay?: number;
}

export interface RecurringOptions extends QueueRecurringOptions {
  priority?: number;
}

/**
 * The object form of scheduleRecurring (`queue.scheduleRecurring(data, { jobId, intervalSeconds })`):
 * the same schedule as the positional form, named. Give `intervalSeconds` or `cron`, not both.
 */
export interface RecurringJobSpec extends RecurringOptions {
  jobId: string;
  intervalSeconds?: number;
  cron?: string;
  timezone?: string;
}

/** One recurring schedule, as getRecurringJobDetails and listAllRecurringJobs describe it. */
export interface RecurringJobDetails {
  jobId: string;
  queue: string;
  data: unknown;
  schedule: { kind: 'interval'; intervalSeconds: number } | { kind: 'cron'; expression: string; timezone?: string };
  priority: number;
  nextRunAt: Date;
  lastRunAt: Date | null;
  runCount: number;
  createdAt: Date;
}

/** @deprecated Renamed RecurringJobDetails. */
export type RecurringJobInfo = RecurringJobDetails;

/** The documented statistics of a queue. */
export interface QueueStats {
  /** Jobs waiting to be processed. */
  pending: number;
  /** Jobs being handled right now. */
  processing: number;
  /** Successful jobs (those retention keeps). */
  completed: number;
  /** Jobs that failed after all retries (those retention keeps). */
  failed: number;
  /** Consumer groups of the queue. */
  consumerGroups: number;
}

export interface ConsumerGroupStats {
  name: string;
  /** Live consumers of the group (all processes, by heartbeat). */
  consumers: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

/**
 * QueueStats with the detail of each group. The product's backends count deliveries: a job
 * enqueued while two groups exist counts once per group; a job waiting for its first group
 * counts as pending.
 */
export interface NamedQueueStats extends QueueStats {
  /** Per-group detail, by name; absent when the backend does not report it. */
  groups?: ConsumerGroupStats[];
}

/** @deprecated The named-queue statistics are QueueStats (documented) and NamedQueueStats (with groups). */
export type QueueApiStats = NamedQueueStats;

/** BullMQ-style counts: waiting (ready), delayed (not before a time), active, completed, failed. */
export interface QueueMetrics {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface ProgressEvent {
  queue: string;
  jobId: string;
  consumerGroup?: string;
  progress: number | Record<string, unknown>;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** The documented queue interface: what every backend implements. */
export interface Queue<T = unknown> {
  enqueue(
    data: T,
    options?: {
      priority?: number;
      startDelay?: number;
      jobId?: string;
    },
  ): Promise<string>;
  consume(consumer: QueueConsumer<T>, options: ConsumeOptions): Promise<void>;
  scheduleRecurring(jobId: string, data: T, intervalSeconds: number, options?: { startDelay?: number }): Promise<void>;
  cancelRecurring(jobId: string): Promise<void>;
  listRecurringJobs(): Promise<string[]>;
  getRecurringJobDetails(jobId: string): Promise<RecurringJobDetails | undefined>;
  getInFlightCount(): Promise<number>;
  stop(): Promise<void>;
  getStats(): Promise<QueueStats>;
  /** Resolves when the backend's stores answer; rejects otherwise. */
  testConnection(): Promise<void>;
}

/** The product's richer queue, as its own backends implement it. */
export interface NamedQueueFeatures<T = unknown> extends Queue<T> {
  readonly name: string;
  enqueue(data: T, options?: EnqueueOptions): Promise<string>;
  consume(handler: QueueHandler<T>, options: ConsumeOptions): Promise<void>;
  /** An interval in seconds (documented) or a cron schedule `{ cron, timezone? }`. */
  scheduleRecurring(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): Promise<void>;
  getStats(): Promise<NamedQueueStats>;
  metrics(): Promise<QueueMetrics>;
  /** Returns an unsubscribe function. */
  onProgress(listener: ProgressListener): () => void;
  /** Stops taking jobs in every process until resume(). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Stops (or restarts) taking jobs in this process only. */
  pauseLocal(): void;
  resumeLocal(): void;
  isPaused(): Promise<boolean>;
  /** Stops taking jobs and waits for in-flight ones (then aborts them after graceMs). */
  stop(graceMs?: number): Promise<void>;
}

/** What application code holds (getQueue): the richer queue, plus the object form of scheduleRecurring. */
export interface NamedQueue<T = unknown> extends NamedQueueFeatures<T> {
  scheduleRecurring(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): Promise<void>;
  /** The same, with the schedule named in one object: `scheduleRecurring(data, { jobId, intervalSeconds })`. */
  scheduleRecurring(data: T, spec: RecurringJobSpec): Promise<void>;
}

/** What the product's own backends implement: the richer queue plus the controls the manager drives. */
export interface NamedQueueBackend<T = unknown> extends NamedQueueFeatures<T> {
  /** Takes jobs and fires recurring ticks while true (startPolling / stopPolling); intervalMs sets the poll interval. */
  setPolling(active: boolean, intervalMs?: number): void;
}

/** @deprecated Renamed NamedQueueBackend. */
export type BackendQueue<T> = NamedQueueBackend<T>;
