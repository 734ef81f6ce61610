import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ConfigError, JobAbortedError } from '../../errors';
import { silentLogger } from '../../logging/logger';
import { parseConsumeOptions, parseEnqueueOptions } from '../enqueue-options';
import type {
  ConsumeOptions,
  DeliveredJob,
  EnqueueOptions,
  NamedQueueBackend,
  NamedQueueStats,
  ProgressEvent,
  ProgressListener,
  QueueHandler,
  QueueMetrics,
  RecurringJobDetails,
  RecurringOptions,
  RecurringSchedule,
} from '../../queue-api/queue-api';
import { messageRetryDelayMs, QUEUE_PRIORITY, queueRetryDelayMs, retentionRuleOf } from '../retention';
import { copyData } from './memory-clone';
import { dueBefore, type Delivery, type StoredMessage } from './memory-delivery';
import { QueueFullError, QueueStoppedError } from './memory-errors';
import { MemoryConsumerGroup, type MemoryConsumer } from './memory-group';
import { JobHeap } from './memory-job-heap';
import { memoryQueueConfigSchema, type MemoryQueueConfig, type MemoryQueueConfigInput } from './memory-config';
import { MemoryRecurring } from './memory-recurring';
import { setTimerAt, type TimerHandle } from './memory-timer';

/** After aborting past the grace period, how long stop() lets handlers react before freeing their slots. */
const ABORT_SETTLE_MS = 500;

/** One handler call in progress. */
interface Run<T> {
  readonly delivery: Delivery<T>;
  readonly group: MemoryConsumerGroup<T>;
  readonly consumer: MemoryConsumer<T>;
  readonly controller: AbortController;
  settled: Promise<void>;
  /** stop() freed the slot of a handler that ignored its abort: its late outcome is ignored. */
  released: boolean;
}

type Outcome = { ok: true } | { ok: false; error: unknown };

/**
 * A queue held in process memory: one process, so "local" and "global" controls coincide.
 * Usable on its own (`new InMemoryQueue('jobs', { concurrency: 10, delayMultiplier: 0.01 })`)
 * or through the `memory` plugin.
 */
export class InMemoryQueue<T = unknown> implements NamedQueueBackend<T> {
  private readonly messages = new Map<string, StoredMessage<T>>();
  /** Messages enqueued before any consumer group existed, in enqueue order. */
  private unassigned: StoredMessage<T>[] = [];
  private readonly groups = new Map<string, MemoryConsumerGroup<T>>();
  /** Deliveries of every group waiting for their startDelay or retry backoff to end. */
  private readonly delayed = new JobHeap<Delivery<T>>(dueBefore);
  private readonly runs = new Set<Run<T>>();
  private readonly listeners = new Set<ProgressListener>();
  private readonly recurring: MemoryRecurring<T>;
  private readonly logger: Logger;
  /** Messages not finished by every group (or unassigned): what maxQueueSize limits. */
  private openMessages = 0;
  private seq = 0;
  private polling = true;
  private paused = false;
  private pausedLocally = false;
  private stopped = false;
  private stopping?: Promise<void>;
  private wake?: { at: number; timer: TimerHandle };
  private heartbeat?: NodeJS.Timeout;
  private readonly config: MemoryQueueConfig;

  /** `config` is validated here (ConfigError naming each problem); missing fields take their defaults. */
  constructor(
    readonly name: string,
    config: MemoryQueueConfigInput = {},
    logger: Logger = silentLogger(),
  ) {
    const parsed = memoryQueueConfigSchema.safeParse(config);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
      throw new ConfigError(`memory queue "${name}": invalid config: ${problems.join('; ')}`, problems);
    }
    this.config = parsed.data;
    this.logger = logger.child({ queue: name, backend: 'memory' });
    this.recurring = new MemoryRecurring<T>({
      queue: name,
      delayMultiplier: this.config.delayMultiplier,
      logger: this.logger,
      enqueueTick: (data, jobId, priority) => this.enqueue(data, { jobId, priority }),
    });
    this.armHeartbeat(this.config.heartbeatIntervalMs);
  }

  async enqueue(data: T, options?: EnqueueOptions): Promise<string> {
    const { jobId, priority = QUEUE_PRIORITY.default, startDelay = 0, lifo = false, attempts, backoff } = parseEnqueueOptions(options);
    const now = Date.now();
    this.prune(now);
    const id = jobId ?? randomUUID();
    if (this.messages.has(id)) return id;
    if (this.openMessages >= this.config.maxQueueSize) throw new QueueFullError(this.name, this.config.maxQueueSize);
    const message: StoredMessage<T> = {
      id,
      data: copyData(data),
      priority,
      lifo,
      timestamp: now,
      dueAt: now + Math.round(startDelay * 1000 * this.config.delayMultiplier),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(backoff !== undefined ? { backoff } : {}),
      unassigned: this.groups.size === 0,
      deliveries: new Map(),
      unfinished: 0,
    };
    this.messages.set(id, message);
    this.openMessages += 1;
    if (message.unassigned) this.unassigned.push(message);
    for (const group of this.groups.values()) this.deliver(message, group, now);
    this.dispatch();
    return id;
  }

  async consume(handler: QueueHandler<T>, options: ConsumeOptions): Promise<void> {
    if (this.stopped) throw new QueueStoppedError(this.name);
    const { consumerGroup, maxRetries = 3, concurrency = this.config.concurrency } = parseConsumeOptions(options);
    let group = this.groups.get(consumerGroup);
    if (!group) {
      group = new MemoryConsumerGroup<T>(consumerGroup);
      this.groups.set(consumerGroup, group);
      this.adoptUnassigned(group);
    }
    group.maxRetries = maxRetries;
    group.consumers.push({ handler, concurrency, running: 0 });
    this.dispatch();
  }

  async scheduleRecurring(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): Promise<void> {
    this.recurring.schedule(jobId, data, schedule, options);
  }

  async cancelRecurring(jobId: string): Promise<void> {
    this.recurring.cancel(jobId);
  }

  async listRecurringJobs(): Promise<string[]> {
    return this.recurring.list().map((info) => info.jobId);
  }

  async getRecurringJobDetails(jobId: string): Promise<RecurringJobDetails | undefined> {
    return this.recurring.details(jobId) ?? undefined;
  }

  async getInFlightCount(): Promise<number> {
    return this.runs.size;
  }

  async getStats(): Promise<NamedQueueStats> {
    this.prune(Date.now());
    const groups = [...this.groups.values()].map((group) => group.stats()).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const stats = { pending: this.unassigned.length, processing: 0, completed: 0, failed: 0, consumerGroups: groups.length, groups };
    for (const group of groups) {
      stats.pending += group.pending;
      stats.processing += group.processing;
      stats.completed += group.completed;
      stats.failed += group.failed;
    }
    return stats;
  }

  async metrics(): Promise<QueueMetrics> {
    const now = Date.now();
    this.prune(now);
    this.promoteDue(now);
    const metrics: QueueMetrics = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: this.delayed.size };
    for (const group of this.groups.values()) {
      const stats = group.stats();
      metrics.waiting += group.ready.size;
      metrics.active += stats.processing;
      metrics.completed += stats.completed;
      metrics.failed += stats.failed;
    }
    for (const message of this.unassigned) {
      if (message.dueAt <= now) metrics.waiting += 1;
      else metrics.delayed += 1;
    }
    return metrics;
  }

  /** Memory always answers. */
  async testConnection(): Promise<void> {}

  onProgress(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async pause(): Promise<void> {
    this.paused = true;
  }

  async resume(): Promise<void> {
    this.paused = false;
    this.dispatch();
  }

  pauseLocal(): void {
    this.pausedLocally = true;
  }

  resumeLocal(): void {
    this.pausedLocally = false;
    this.dispatch();
  }

  async isPaused(): Promise<boolean> {
    return this.paused;
  }

  /** Polling on or off; `intervalMs` becomes the heartbeat interval (this backend's only periodic check). */
  setPolling(active: boolean, intervalMs?: number): void {
    this.polling = active;
    if (intervalMs !== undefined && !this.stopped) this.armHeartbeat(intervalMs);
    this.recurring.setPolling(active);
    this.dispatch();
  }

  stop(graceMs = 30_000): Promise<void> {
    this.stopping ??= this.shutdown(graceMs);
    return this.stopping;
  }

  private async shutdown(graceMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    for (const group of this.groups.values()) group.consumers.length = 0;
    this.recurring.stop();
    this.scheduleWake();
    if (await this.runsSettleWithin(graceMs)) return;
    this.logger.warn({ running: this.runs.size, graceMs }, 'grace period over: aborting running handlers');
    const reason = new JobAbortedError(`Queue "${this.name}" stopped and its ${graceMs} ms grace period is over`);
    for (const run of this.runs) run.controller.abort(reason);
    if (await this.runsSettleWithin(ABORT_SETTLE_MS)) return;
    for (const run of [...this.runs]) {
      this.logger.warn({ jobId: run.delivery.message.id, consumerGroup: run.group.name }, 'handler ignored its abort signal; freeing its slot');
      run.released = true;
      this.release(run);
      this.requeue(run.delivery, run.group);
    }
  }

  private async runsSettleWithin(ms: number): Promise<boolean> {
    if (this.runs.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const settled = Promise.all([...this.runs].map((run) => run.settled)).then(() => true);
    try {
      return await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Re-checks due deliveries every `intervalMs` (0: never), in case their timer fired late or not at all. */
  private armHeartbeat(intervalMs: number): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (intervalMs <= 0) return;
    this.heartbeat = setInterval(() => this.dispatch(), intervalMs);
    this.heartbeat.unref();
  }

  /** Gives each unassigned message to the first group: they were waiting for someone to consume them. */
  private adoptUnassigned(group: MemoryConsumerGroup<T>): void {
    const now = Date.now();
    for (const message of this.unassigned) {
      message.unassigned = false;
      this.deliver(message, group, now);
    }
    this.unassigned = [];
  }

  private deliver(message: StoredMessage<T>, group: MemoryConsumerGroup<T>, now: number): void {
    const delivery: Delivery<T> = { message, group: group.name, state: 'waiting', attempts: 0, readyAt: message.dueAt, seq: ++this.seq };
    message.deliveries.set(group.name, delivery);
    message.unfinished += 1;
    this.queueDelivery(delivery, group, now);
  }

  /** Ready now goes to the group's heap; due later goes to the delayed heap until promoteDue. */
  private queueDelivery(delivery: Delivery<T>, group: MemoryConsumerGroup<T>, now: number): void {
    if (delivery.readyAt <= now) {
      delivery.state = 'waiting';
      group.ready.push(delivery);
      return;
    }
    delivery.state = 'delayed';
    group.delayed += 1;
    this.delayed.push(delivery);
    this.scheduleWake();
  }

  private promoteDue(now: number): void {
    for (let next = this.delayed.peek(); next && next.readyAt <= now; next = this.delayed.peek()) {
      this.delayed.pop();
      const group = this.groupOf(next);
      group.delayed -= 1;
      next.state = 'waiting';
      group.ready.push(next);
    }
    this.scheduleWake();
  }

  /** Keeps one timer, at the earliest delayed delivery, so deliveries start as soon as they are due. */
  private scheduleWake(): void {
    const next = this.stopped ? undefined : this.delayed.peek();
    if (this.wake && this.wake.at === next?.readyAt) return;
    this.wake?.timer.cancel();
    this.wake = undefined;
    if (!next) return;
    const at = next.readyAt;
    this.wake = {
      at,
      timer: setTimerAt(at, () => {
        this.wake = undefined;
        this.promoteDue(Date.now());
        this.dispatch();
      }),
    };
  }

  /** Starts ready deliveries on free consumer slots, each group in its own order. */
  private dispatch(): void {
    if (!this.polling || this.paused || this.pausedLocally || this.stopped) return;
    this.promoteDue(Date.now());
    for (const group of this.groups.values()) {
      while (group.ready.size > 0) {
        const consumer = group.freeConsumer();
        if (!consumer) break;
        this.start(group.ready.pop() as Delivery<T>, group, consumer);
      }
    }
  }

  private start(delivery: Delivery<T>, group: MemoryConsumerGroup<T>, consumer: MemoryConsumer<T>): void {
    delivery.state = 'processing';
    delivery.attempts += 1;
    group.processing += 1;
    consumer.running += 1;
    const { message } = delivery;
    const controller = new AbortController();
    // A copy per attempt: one group's handler mutating its job cannot change what another group sees.
    const job: DeliveredJob<T> = { id: message.id, data: copyData(message.data), priority: message.priority, timestamp: new Date(message.timestamp), attempts: delivery.attempts };
    const context = {
      consumerGroup: group.name,
      signal: controller.signal,
      reportProgress: async (progress: ProgressEvent['progress']) => this.emitProgress({ queue: this.name, jobId: message.id, consumerGroup: group.name, progress }),
    };
    const run: Run<T> = { delivery, group, consumer, controller, released: false, settled: Promise.resolve() };
    this.runs.add(run);
    // Called on a microtask: a synchronous throw becomes a rejection, and dispatch never re-enters itself.
    run.settled = Promise.resolve()
      .then(() => consumer.handler(job, context))
      .then(
        (): Outcome => ({ ok: true }),
        (error: unknown): Outcome => ({ ok: false, error }),
      )
      .then((outcome) => this.finish(run, outcome))
      .catch((error: unknown) => this.logger.error({ jobId: message.id, err: (error as Error).message }, 'memory queue bookkeeping failed'));
  }

  private finish(run: Run<T>, outcome: Outcome): void {
    if (run.released) return;
    this.release(run);
    const { delivery, group } = run;
    const now = Date.now();
    if (outcome.ok) {
      this.settle(delivery, group, 'completed', now);
    } else if (run.controller.signal.aborted) {
      // Aborted by stop(): not the job's fault, so it waits again without spending an attempt.
      this.requeue(delivery, group);
    } else {
      delivery.lastError = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      const { message } = delivery;
      const maxAttempts = message.attempts ?? group.maxRetries + 1;
      if (delivery.attempts < maxAttempts) {
        const delay = message.backoff
          ? messageRetryDelayMs(message.backoff, delivery.attempts, this.config.delayMultiplier)
          : queueRetryDelayMs(delivery.attempts, this.config.delayMultiplier);
        delivery.readyAt = now + delay;
        delivery.seq = ++this.seq;
        this.queueDelivery(delivery, group, now);
      } else {
        this.settle(delivery, group, 'failed', now);
      }
    }
    this.dispatch();
  }

  private release(run: Run<T>): void {
    this.runs.delete(run);
    run.group.processing -= 1;
    run.consumer.running -= 1;
  }

  /** Back to waiting in its old place (same readyAt and seq); the interrupted attempt is not counted. */
  private requeue(delivery: Delivery<T>, group: MemoryConsumerGroup<T>): void {
    delivery.attempts -= 1;
    delivery.state = 'waiting';
    group.ready.push(delivery);
  }

  private settle(delivery: Delivery<T>, group: MemoryConsumerGroup<T>, state: 'completed' | 'failed', now: number): void {
    delivery.state = state;
    delivery.finishedAt = now;
    group.recordFinished(delivery);
    delivery.message.unfinished -= 1;
    if (delivery.message.unfinished === 0) this.openMessages -= 1;
    this.prune(now);
  }

  /** Applies retention; a message with no delivery left is forgotten, so its jobId may be enqueued again. */
  private prune(now: number): void {
    const rule = retentionRuleOf(this.config.retention);
    for (const group of this.groups.values()) {
      for (const delivery of group.prune(now, rule)) {
        const { message } = delivery;
        message.deliveries.delete(delivery.group);
        if (message.deliveries.size === 0 && this.messages.get(message.id) === message) this.messages.delete(message.id);
      }
    }
  }

  private emitProgress(event: ProgressEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ jobId: event.jobId, err: (error as Error).message }, 'progress listener threw');
      }
    }
  }

  private groupOf(delivery: Delivery<T>): MemoryConsumerGroup<T> {
    const group = this.groups.get(delivery.group);
    if (!group) throw new Error(`memory queue "${this.name}": delivery of unknown group "${delivery.group}"`);
    return group;
  }
}

/** @deprecated Renamed InMemoryQueue. */
export const MemoryQueue = InMemoryQueue;
/** @deprecated Renamed InMemoryQueue. */
export type MemoryQueue<T = unknown> = InMemoryQueue<T>;
