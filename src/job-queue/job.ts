/** What a JobQueue processor receives (BullMQ's shape, the fields this queue has). */
export interface Job<T> {
  /** The id enqueue returned; for a repeat tick, `<repeat id>@<tick time ISO>`. */
  id: string;
  /** The JobQueue's name. */
  name: string;
  data: T;
  /** Attempts that failed before this one (0 on the first run). */
  attemptsMade: number;
  /** When the job was enqueued (ms since the epoch). */
  timestamp: number;
  /** Aborted when shutdown's grace period ends while the job runs; pass it on to I/O. */
  signal: AbortSignal;
  /** Stores progress on the job and emits it to every onProgress listener, in every process. */
  updateProgress(progress: number | Record<string, unknown>): Promise<void>;
}

/** The processor given to start(): its return value is the job's result. */
export type JobProcessor<T, R = unknown> = (job: Job<T>) => Promise<R>;

export interface JobProgressEvent {
  jobId: string;
  progress: number | Record<string, unknown>;
}

export type JobProgressListener = (event: JobProgressEvent) => void;

/** BullMQ's counts: waiting (ready), active, completed, failed (attempts spent), delayed (a delay or a retry backoff). */
export interface JobQueueMetrics {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}
