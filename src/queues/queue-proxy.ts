import type { Logger } from 'pino';
import { ConcurrencyGate } from './concurrency-gate';
import type {
  ConsumeOptions,
  DeliveredJob,
  EnqueueOptions,
  NamedQueue,
  NamedQueueBackend,
  NamedQueueStats,
  ProgressEvent,
  ProgressListener,
  Queue,
  QueueConsumer,
  QueueHandler,
  QueueJob,
  QueueJobContext,
  QueueMetrics,
  RecurringJobDetails,
  RecurringJobSpec,
  RecurringOptions,
  RecurringSchedule,
} from '../queue-api/queue-api';
import { DOCUMENTED_OPTIONS, isNamedQueueBackend, offers, undocumentedOptions, type ExtraMethod } from './queue-capabilities';
import { QueueCapabilityError, QueueConnectionError, QueueStoppedError } from './queue-errors';
import { InvalidJobOptionsError } from '../errors';

/** testConnection's deadline: a store that has not answered by then does not answer. */
const CONNECTION_DEADLINE_MS = 5_000;

/** What a delegate is told when it arrives. */
export interface QueueProxyOptions {
  /** The backend's plugin id, named in capability errors. */
  pluginId?: string;
  logger?: Logger;
  /** Whether the delegate takes jobs and fires schedules (the manager's start/stopPolling). */
  polling?: boolean;
  pollIntervalMs?: number;
}

/**
 * The consumer handed to the delegate: takes the product's context when the backend gives one,
 * and resolves to the handler's result (the engine records it on the job).
 */
type Wrapped<T> = (job: QueueJob<T>, context?: QueueJobContext) => Promise<unknown>;

interface Subscription<T> {
  consumer: Wrapped<T>;
  options: ConsumeOptions;
}

interface RecurringRegistration<T> {
  data: T;
  schedule: RecurringSchedule;
  options?: RecurringOptions;
}

/**
 * The Queue application code holds: the same object across backend switches. It delegates every
 * call to the current backend, remembers what was set up through it (subscriptions, recurring
 * schedules, progress listeners, local pause) and replays it on the next one; operations issued
 * during a switch wait for it, and the switch waits for operations already under way.
 *
 * A delegate may be a plain documented Queue. Then handlers still get a context (progress reaches
 * this process's listeners; the signal aborts when stop's grace period is over), a consume
 * `concurrency` is enforced here, and features it cannot offer (pause, metrics, cron, LIFO...)
 * fail with QueueCapabilityError before anything changes.
 */
export class QueueProxy<T = unknown> implements NamedQueue<T> {
  private delegate: Queue<T>;
  private pluginId: string;
  private readonly logger: Logger | undefined;
  private readonly subscriptions: Array<Subscription<T>> = [];
  private readonly schedules = new Map<string, RecurringRegistration<T>>();
  private readonly listeners = new Set<ProgressListener>();
  private unsubscribeDelegate: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private switching: Promise<void> | undefined;
  /** Aborts the fallback contexts of a plain delegate's handlers (stop past its grace period). */
  private aborter = new AbortController();
  private polling: boolean;
  private pollIntervalMs: number | undefined;
  private pausedLocally = false;
  private stopped = false;

  constructor(
    readonly name: string,
    delegate: Queue<T>,
    options: QueueProxyOptions = {},
  ) {
    this.delegate = delegate;
    this.pluginId = options.pluginId ?? 'custom';
    this.logger = options.logger;
    this.polling = options.polling ?? true;
    this.pollIntervalMs = options.pollIntervalMs;
    this.applyPolling(delegate);
  }

  /** The plugin id of the current delegate. */
  get backendId(): string {
    return this.pluginId;
  }

  enqueue(data: T, options?: EnqueueOptions): Promise<string> {
    return this.run((q) => {
      this.requireOptions(q, 'enqueue', options, DOCUMENTED_OPTIONS.enqueue);
      return q.enqueue(data, options);
    });
  }

  async consume(handler: QueueHandler<T>, options: ConsumeOptions): Promise<void> {
    if (this.stopped) throw new QueueStoppedError(this.name);
    const consumer = this.wrap(handler, options);
    await this.run((q) => q.consume(consumer as QueueConsumer<T>, options));
    this.subscriptions.push({ consumer, options });
  }

  scheduleRecurring(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): Promise<void>;
  scheduleRecurring(data: T, spec: RecurringJobSpec): Promise<void>;
  async scheduleRecurring(...args: [string, T, RecurringSchedule, RecurringOptions?] | [T, RecurringJobSpec]): Promise<void> {
    const [jobId, data, schedule, options] = args.length === 2 ? fromSpec(args[0], args[1]) : args;
    await this.run(async (q) => {
      if (isNamedQueueBackend(q)) return q.scheduleRecurring(jobId, data, schedule, options);
      this.requireRecurring(q, schedule, options);
      return q.scheduleRecurring(jobId, data, schedule as number, options);
    });
    this.schedules.set(jobId, { data, schedule, options });
  }

  async cancelRecurring(jobId: string): Promise<void> {
    this.schedules.delete(jobId);
    await this.run((q) => q.cancelRecurring(jobId));
  }

  listRecurringJobs(): Promise<string[]> {
    return this.run((q) => q.listRecurringJobs());
  }

  getRecurringJobDetails(jobId: string): Promise<RecurringJobDetails | undefined> {
    return this.run((q) => q.getRecurringJobDetails(jobId));
  }

  getInFlightCount(): Promise<number> {
    return this.delegate.getInFlightCount();
  }

  getStats(): Promise<NamedQueueStats> {
    return this.run((q) => q.getStats());
  }

  metrics(): Promise<QueueMetrics> {
    return this.run((q) => this.require(q, 'metrics', 'metrics()').metrics());
  }

  /** Resolves when the backend's stores answer within 5 s; otherwise rejects with QueueConnectionError. */
  async testConnection(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CONNECTION_DEADLINE_MS} ms`)), CONNECTION_DEADLINE_MS);
    });
    try {
      await Promise.race([this.run((q) => q.testConnection()), deadline]);
    } catch (error) {
      if (error instanceof QueueConnectionError) throw error;
      throw new QueueConnectionError(this.name, this.pluginId, error instanceof Error ? error.message : String(error), error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Every progress event of this queue. Backends with a progress feed deliver events from every
   * process; on a plain backend, the events reported by handlers of this process.
   */
  onProgress(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    this.subscribeProgress();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unsubscribeProgress();
    };
  }

  pause(): Promise<void> {
    return this.run((q) => this.require(q, 'pause', 'pause()').pause());
  }

  resume(): Promise<void> {
    return this.run((q) => this.require(q, 'resume', 'resume()').resume());
  }

  isPaused(): Promise<boolean> {
    return this.run((q) => this.require(q, 'isPaused', 'isPaused()').isPaused());
  }

  pauseLocal(): void {
    this.require(this.delegate, 'pauseLocal', 'pauseLocal()').pauseLocal();
    this.pausedLocally = true;
  }

  resumeLocal(): void {
    this.require(this.delegate, 'resumeLocal', 'resumeLocal()').resumeLocal();
    this.pausedLocally = false;
  }

  /** Stops taking jobs for good and waits for in-flight ones (aborting their signals after graceMs). */
  async stop(graceMs?: number): Promise<void> {
    this.stopped = true;
    await this.switching;
    await Promise.allSettled([...this.inFlight]);
    this.unsubscribeProgress();
    await this.stopDelegate(this.delegate, graceMs);
  }

  /** For the manager: start/stopPolling, and the poll interval when one is given. */
  setPolling(active: boolean, intervalMs?: number): void {
    this.polling = active;
    this.pollIntervalMs = intervalMs ?? this.pollIntervalMs;
    this.applyPolling(this.delegate);
  }

  /**
   * Throws QueueCapabilityError when `next` cannot take over what was set up here (a cron
   * schedule on a plain backend, a local pause it cannot hold). Nothing changes.
   */
  checkDelegate(next: Queue<T>, pluginId = 'custom'): void {
    if (isNamedQueueBackend(next)) return;
    for (const registration of this.schedules.values()) this.requireRecurring(next, registration.schedule, registration.options, pluginId);
    if (this.pausedLocally) this.require(next, 'pauseLocal', 'pauseLocal() (this queue is paused locally)', pluginId);
  }

  /**
   * Moves to another backend: waits for operations under way, stops the current delegate (its
   * in-flight jobs finish), then replays subscriptions, schedules, listeners and local pause.
   */
  async switchDelegate(newQueue: Queue<T>, options: { pluginId?: string; graceMs?: number } = {}): Promise<void> {
    const pluginId = options.pluginId ?? 'custom';
    this.checkDelegate(newQueue, pluginId);
    // Set before the first await: operations issued from now on wait for this switch.
    const previous = this.switching;
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    this.switching = mine;
    try {
      await previous;
      await Promise.allSettled([...this.inFlight]);
      this.unsubscribeProgress();
      await this.stopDelegate(this.delegate, options.graceMs);
      this.delegate = newQueue;
      this.pluginId = pluginId;
      this.aborter = new AbortController();
      this.applyPolling(newQueue);
      if (this.pausedLocally && offers(newQueue, 'pauseLocal')) newQueue.pauseLocal();
      this.subscribeProgress();
      for (const [jobId, r] of this.schedules) {
        if (isNamedQueueBackend(newQueue)) await newQueue.scheduleRecurring(jobId, r.data, r.schedule, r.options);
        else await newQueue.scheduleRecurring(jobId, r.data, r.schedule as number, r.options);
      }
      if (!this.stopped) for (const s of this.subscriptions) await newQueue.consume(s.consumer as QueueConsumer<T>, s.options);
    } finally {
      done();
      if (this.switching === mine) this.switching = undefined;
    }
  }

  /** The consumer given to backends: the product's backends pass a context, plain ones do not. */
  private wrap(handler: QueueHandler<T>, options: ConsumeOptions): Wrapped<T> {
    const gate = options.concurrency === undefined ? undefined : new ConcurrencyGate(options.concurrency);
    return async (job, context) => {
      const delivered: DeliveredJob<T> = { ...job, priority: job.priority ?? 0, attempts: job.attempts ?? 1 };
      if (context) return handler(delivered, context);
      const fallback: QueueJobContext = {
        consumerGroup: options.consumerGroup,
        signal: this.aborter.signal,
        reportProgress: async (progress) => this.emit({ queue: this.name, jobId: job.id, consumerGroup: options.consumerGroup, progress }),
      };
      return gate ? gate.run(() => handler(delivered, fallback)) : handler(delivered, fallback);
    };
  }

  private async stopDelegate(delegate: Queue<T>, graceMs: number | undefined): Promise<void> {
    if (isNamedQueueBackend(delegate)) {
      await delegate.stop(graceMs);
      return;
    }
    // A plain stop() waits for its in-flight jobs: past the grace period, their signals abort.
    const stopping = delegate.stop();
    if (graceMs === undefined) return stopping;
    let timer: NodeJS.Timeout | undefined;
    const aborter = this.aborter;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        aborter.abort(new QueueStoppedError(this.name));
        resolve();
      }, graceMs);
    });
    try {
      await Promise.race([stopping, grace]);
      await stopping;
    } finally {
      clearTimeout(timer);
    }
  }

  private applyPolling(delegate: Queue<T>): void {
    if (offers(delegate, 'setPolling')) {
      delegate.setPolling(this.polling, this.pollIntervalMs);
      return;
    }
    if (!this.polling) this.logger?.warn({ queue: this.name, backend: this.pluginId }, 'backend has no setPolling: it keeps taking jobs while polling is stopped');
  }

  private subscribeProgress(): void {
    if (this.unsubscribeDelegate || this.listeners.size === 0 || !offers(this.delegate, 'onProgress')) return;
    this.unsubscribeDelegate = this.delegate.onProgress((event) => this.emit(event));
  }

  private unsubscribeProgress(): void {
    this.unsubscribeDelegate?.();
    this.unsubscribeDelegate = undefined;
  }

  private emit(event: ProgressEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger?.warn({ queue: this.name, jobId: event.jobId, err: (error as Error).message }, 'progress listener threw');
      }
    }
  }

  private require<K extends ExtraMethod>(queue: Queue<T>, method: K, capability: string, pluginId = this.pluginId): Queue<T> & Pick<NamedQueueBackend<T>, K> {
    if (!offers(queue, method)) throw new QueueCapabilityError(this.name, pluginId, capability);
    return queue;
  }

  private requireOptions(queue: Queue<T>, method: keyof typeof DOCUMENTED_OPTIONS, options: object | undefined, documented: readonly string[]): void {
    if (isNamedQueueBackend(queue)) return;
    const extra = undocumentedOptions(options, documented);
    if (extra.length > 0) throw new QueueCapabilityError(this.name, this.pluginId, `the ${method} option${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`);
  }

  private requireRecurring(queue: Queue<T>, schedule: RecurringSchedule, options: RecurringOptions | undefined, pluginId = this.pluginId): void {
    if (isNamedQueueBackend(queue)) return;
    if (typeof schedule !== 'number') throw new QueueCapabilityError(this.name, pluginId, 'cron schedules (give intervalSeconds as a number)');
    const extra = undocumentedOptions(options, DOCUMENTED_OPTIONS.scheduleRecurring);
    if (extra.length > 0) throw new QueueCapabilityError(this.name, pluginId, `the scheduleRecurring option${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`);
  }

  private async run<R>(operation: (queue: Queue<T>) => Promise<R>): Promise<R> {
    while (this.switching) await this.switching;
    const pending = operation(this.delegate);
    this.inFlight.add(pending);
    try {
      return await pending;
    } finally {
      this.inFlight.delete(pending);
    }
  }
}

/** The positional arguments the object form of scheduleRecurring stands for. */
function fromSpec<T>(data: T, spec: RecurringJobSpec): [string, T, RecurringSchedule, RecurringOptions] {
  const { jobId, intervalSeconds, cron, timezone, ...options } = spec ?? ({} as RecurringJobSpec);
  if (typeof jobId !== 'string' || jobId.length === 0) throw new InvalidJobOptionsError(['scheduleRecurring: the schedule object needs a jobId']);
  if ((intervalSeconds === undefined) === (cron === undefined)) {
    throw new InvalidJobOptionsError([`scheduleRecurring "${jobId}": give intervalSeconds or cron (one of them)`]);
  }
  const schedule: RecurringSchedule = cron !== undefined ? { cron, ...(timezone !== undefined ? { timezone } : {}) } : (intervalSeconds as number);
  return [jobId, data, schedule, options];
}
