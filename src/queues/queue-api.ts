/**
 * The named-queue API: application code that thinks in queues and consumer groups rather
 * than in job types. Every backend (QueuePlugin) implements `BackendQueue`; callers hold a
 * `Queue`, the stable proxy `QueueManager.getQueue(name)` returns.
 */

/** What a consumer's handler receives. */
export interface QueueJob<T> {
  /** The id `enqueue` returned (the caller's jobId when one was given). */
  id: string;
  data: T;
  priority: number;
  /** When the job was enqueued (ms since the epoch). */
  timestamp: number;
  /** Attempts so far by this consumer group, this one included (1 on the first run). */
  attempts: number;
}

/** The second argument of a handler: what it may do besides returning. */
export interface QueueJobContext {
  consumerGroup: string;
  /** Aborted when the consumer stops past its grace period; pass it on to I/O. */
  signal: AbortSignal;
  /** Records progress and emits it to every `onProgress` listener, in any process. */
  reportProgress(progress: number | Record<string, unknown>): Promise<void>;
}

export type QueueHandler<T> = (job: QueueJob<T>, context: QueueJobContext) => Promise<unknown>;

export interface EnqueueOptions {
  /** Higher runs first; integer 0–100, default 0. */
  priority?: number;
  /** Seconds before the job may run (scaled by the backend's delayMultiplier). */
  startDelay?: number;
  /** Caller id: enqueueing an id that exists returns it and enqueues nothing. */
  jobId?: string;
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

export interface RecurringOptions {
  /** Seconds before the first run (interval schedules; default: one interval). */
  startDelay?: number;
  priority?: number;
}

export interface RecurringJobInfo {
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
 * Counts of deliveries: a job enqueued while two groups exist counts once per group.
 * A job waiting for its first consumer group counts as pending.
 */
export interface QueueApiStats {
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  consumerGroups: ConsumerGroupStats[];
}

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

/** What application code holds. */
export interface Queue<T> {
  readonly name: string;
  enqueue(data: T, options?: EnqueueOptions): Promise<string>;
  consume(handler: QueueHandler<T>, options: ConsumeOptions): Promise<void>;
  scheduleRecurring(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): Promise<RecurringJobInfo>;
  cancelRecurring(jobId: string): Promise<boolean>;
  listRecurringJobs(): Promise<RecurringJobInfo[]>;
  getRecurringJobDetails(jobId: string): Promise<RecurringJobInfo | null>;
  /** Jobs this process is running for this queue right now. */
  getInFlightCount(): number;
  getStats(): Promise<QueueApiStats>;
  metrics(): Promise<QueueMetrics>;
  /** True when the backend's stores answer. */
  testConnection(): Promise<boolean>;
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

/** What a plugin's createQueue returns: a Queue plus the controls the manager drives. */
export interface BackendQueue<T> extends Queue<T> {
  /** Takes jobs and fires recurring ticks while true (the manager's start/stopPolling). */
  setPolling(active: boolean): void;
}
