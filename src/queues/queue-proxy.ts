import type {
  BackendQueue,
  ConsumeOptions,
  EnqueueOptions,
  ProgressListener,
  Queue,
  QueueApiStats,
  QueueHandler,
  QueueMetrics,
  RecurringJobInfo,
  RecurringOptions,
  RecurringSchedule,
} from './queue-api';
import { QueueStoppedError } from './queue-errors';

interface Subscription<T> {
  handler: QueueHandler<T>;
  options: ConsumeOptions;
}

interface RecurringRegistration<T> {
  data: T;
  schedule: RecurringSchedule;
  options?: RecurringOptions;
}

/**
 * The Queue application code holds: the same object across backend switches. It remembers
 * what was set up through it (consume subscriptions, recurring schedules, progress listeners,
 * local pause) and replays it on the new backend; operations issued during a switch wait for
 * it, and the switch waits for operations already under way.
 */
export class QueueProxy<T> implements Queue<T> {
  private readonly subscriptions: Array<Subscription<T>> = [];
  private readonly schedules = new Map<string, RecurringRegistration<T>>();
  private readonly listeners = new Map<ProgressListener, () => void>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private switching: Promise<void> | undefined;
  private pausedLocally = false;
  private stopped = false;

  constructor(
    readonly name: string,
    private backend: BackendQueue<T>,
  ) {}

  enqueue(data: T, options?: EnqueueOptions): Promise<string> {
    return this.run((q) => q.enqueue(data, options));
  }

  async consume(handler: QueueHandler<T>, options: ConsumeOptions): Promise<void> {
    if (this.stopped) throw new QueueStoppedError(this.name);
    await this.run((q) => q.consume(handler, options));
    this.subscriptions.push({ handler, options });
  }

  async scheduleRecurring(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): Promise<RecurringJobInfo> {
    const info = await this.run((q) => q.scheduleRecurring(jobId, data, schedule, options));
    this.schedules.set(jobId, { data, schedule, options });
    return info;
  }

  async cancelRecurring(jobId: string): Promise<boolean> {
    this.schedules.delete(jobId);
    return this.run((q) => q.cancelRecurring(jobId));
  }

  listRecurringJobs(): Promise<RecurringJobInfo[]> {
    return this.run((q) => q.listRecurringJobs());
  }

  getRecurringJobDetails(jobId: string): Promise<RecurringJobInfo | null> {
    return this.run((q) => q.getRecurringJobDetails(jobId));
  }

  getInFlightCount(): number {
    return this.backend.getInFlightCount();
  }

  getStats(): Promise<QueueApiStats> {
    return this.run((q) => q.getStats());
  }

  metrics(): Promise<QueueMetrics> {
    return this.run((q) => q.metrics());
  }

  testConnection(): Promise<boolean> {
    return this.run((q) => q.testConnection());
  }

  onProgress(listener: ProgressListener): () => void {
    this.listeners.set(listener, this.backend.onProgress(listener));
    return () => {
      this.listeners.get(listener)?.();
      this.listeners.delete(listener);
    };
  }

  pause(): Promise<void> {
    return this.run((q) => q.pause());
  }

  resume(): Promise<void> {
    return this.run((q) => q.resume());
  }

  isPaused(): Promise<boolean> {
    return this.run((q) => q.isPaused());
  }

  pauseLocal(): void {
    this.pausedLocally = true;
    this.backend.pauseLocal();
  }

  resumeLocal(): void {
    this.pausedLocally = false;
    this.backend.resumeLocal();
  }

  /** Stops taking jobs for good and waits for in-flight ones. */
  async stop(graceMs?: number): Promise<void> {
    this.stopped = true;
    await this.switching;
    await Promise.allSettled([...this.inFlight]);
    for (const unsubscribe of this.listeners.values()) unsubscribe();
    this.listeners.clear();
    await this.backend.stop(graceMs);
  }

  /** For the manager: drives polling of the current backend. */
  setPolling(active: boolean): void {
    this.backend.setPolling(active);
  }

  /**
   * Moves to another backend: waits for operations under way, stops the old backend (its
   * in-flight jobs finish), then replays subscriptions, schedules, listeners and local pause.
   */
  async switchTo(create: () => BackendQueue<T>, polling: boolean, graceMs?: number): Promise<void> {
    // Set before the first await: operations issued from now on wait for this switch.
    const previous = this.switching;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.switching = mine;
    try {
      await previous;
      const next = create();
      await Promise.allSettled([...this.inFlight]);
      const old = this.backend;
      for (const unsubscribe of this.listeners.values()) unsubscribe();
      await old.stop(graceMs);
      this.backend = next;
      next.setPolling(polling);
      if (this.pausedLocally) next.pauseLocal();
      for (const listener of this.listeners.keys()) this.listeners.set(listener, next.onProgress(listener));
      for (const [jobId, r] of this.schedules) await next.scheduleRecurring(jobId, r.data, r.schedule, r.options);
      if (!this.stopped) for (const s of this.subscriptions) await next.consume(s.handler, s.options);
    } finally {
      done();
      if (this.switching === mine) this.switching = undefined;
    }
  }

  private async run<R>(operation: (queue: BackendQueue<T>) => Promise<R>): Promise<R> {
    while (this.switching) await this.switching;
    const pending = operation(this.backend);
    this.inFlight.add(pending);
    try {
      return await pending;
    } finally {
      this.inFlight.delete(pending);
    }
  }
}
