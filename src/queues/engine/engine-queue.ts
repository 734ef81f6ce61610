import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import { RedisKeys } from '../../cache/redis-keys';
import { defineJob } from '../../domain/job-definition';
import { JobStatus } from '../../domain/job-status';
import { JobRegistry } from '../../registry/job-registry';
import { QueueWorker } from '../../worker/queue-worker';
import { parseConsumeOptions, parseEnqueueOptions, parseJobId, parseRecurringOptions } from '../enqueue-options';
import type {
  ConsumeOptions,
  EnqueueOptions,
  NamedQueueBackend,
  NamedQueueStats,
  ProgressListener,
  QueueHandler,
  QueueMetrics,
  RecurringJobDetails,
  RecurringOptions,
  RecurringSchedule,
} from '../../queue-api/queue-api';
import { QueueConnectionError, QueueStoppedError } from '../queue-errors';
import { firstRunAt, nextRunAfter, normalizeSchedule, tickJobId } from '../recurrence';
import { QUEUE_PRIORITY } from '../retention';
import { deliveryQueueName, messageIdOf, QUEUE_MESSAGE_TYPE } from './delivery';
import type { EngineQueueConfig } from './engine-config';
import { controlName, type EngineRuntime } from './engine-runtime';
import { toRecurringInfo } from '../../storage/recurring-store';

interface Consumer {
  id: string;
  group: string;
  worker: QueueWorker;
  startedAt: Date;
}

/** Schedules fired per tick, so one tick never holds its lock for long. */
const TICK_LIMIT = 100;

/**
 * A named queue on the engine: messages in MongoDB, one engine job per (message, group), the
 * engine's workers consuming each group's jobs. Each consume() runs a QueueWorker of its own
 * on the host's connections; a ticker (one process at a time, under a redlock lock) fires
 * recurring schedules, delivers messages owed to groups, and applies retention.
 */
export class EngineQueue<T> implements NamedQueueBackend<T> {
  private readonly consumers: Consumer[] = [];
  private readonly keys: RedisKeys;
  private readonly logger: Logger;
  private polling = true;
  private pausedLocally = false;
  private stopped = false;
  private ticker: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastRetentionAt = 0;
  /** The poll interval (config pollIntervalMs until startPolling gives another). */
  private pollIntervalMs: number;

  constructor(
    readonly name: string,
    private readonly config: EngineQueueConfig,
    private readonly runtime: EngineRuntime,
    logger: Logger,
  ) {
    this.keys = new RedisKeys(runtime.host.config.cache.namespace, `named:${name}`);
    this.logger = logger.child({ component: 'named-queue', queue: name, backend: 'engine' });
    this.pollIntervalMs = config.pollIntervalMs;
    this.ticker = this.startTicker();
  }

  private startTicker(): NodeJS.Timeout {
    const ticker = setInterval(() => this.tick(), this.pollIntervalMs);
    ticker.unref();
    return ticker;
  }

  async enqueue(data: T, options?: EnqueueOptions): Promise<string> {
    const opts = parseEnqueueOptions(options);
    const messageId = opts.jobId ?? randomUUID();
    await this.runtime.ready();
    await this.runtime.enqueue(
      {
        queue: this.name,
        messageId,
        data,
        priority: opts.priority ?? QUEUE_PRIORITY.default,
        lifo: opts.lifo ?? false,
        delayMs: (opts.startDelay ?? 0) * 1000,
        attempts: opts.attempts,
        backoff: opts.backoff,
      },
      this.config.delayMultiplier,
    );
    return messageId;
  }

  async consume(handler: QueueHandler<T>, options: ConsumeOptions): Promise<void> {
    if (this.stopped) throw new QueueStoppedError(this.name);
    const opts = parseConsumeOptions(options);
    const group = opts.consumerGroup;
    const concurrency = opts.concurrency ?? this.config.concurrency;
    await this.runtime.ready();
    const startedAt = new Date();
    await this.runtime.groups.register(this.name, group, opts.maxRetries ?? 3, startedAt);
    const consumerId = `${this.name}:${group}:${randomUUID().slice(0, 8)}`;
    await this.runtime.groups.heartbeat(this.name, group, consumerId, startedAt, startedAt);
    const queue = this.name;
    const registry = new JobRegistry().register(
      defineJob({
        type: QUEUE_MESSAGE_TYPE,
        description: `messages of named queue ${queue} for group ${group}`,
        schema: z.unknown(),
        handle: (data, context) =>
          handler(
            { id: messageIdOf(queue, group, context.jobId), data: data as T, priority: context.priority, timestamp: context.createdAt, attempts: context.attempt },
            { consumerGroup: group, signal: context.signal, reportProgress: context.reportProgress },
          ),
      }),
    );
    const delivery = this.runtime.host.deliveryQueue(deliveryQueueName(queue, group), { registry, controlQueue: controlName(queue) });
    const worker = new QueueWorker(delivery.worker, this.logger, concurrency, Math.min(concurrency, 50), this.pollIntervalMs, consumerId);
    if (!this.polling || this.pausedLocally) worker.pause();
    // Messages waiting for a first group go to it before its worker starts, so they keep their
    // place (enqueue order) ahead of messages enqueued from now on.
    await this.runtime.deliverWaiting(queue, this.config.delayMultiplier);
    await worker.start();
    this.consumers.push({ id: consumerId, group, worker, startedAt });
    this.startHeartbeat();
  }

  async scheduleRecurring(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): Promise<void> {
    const scheduleId = parseJobId(jobId);
    const opts = parseRecurringOptions(options);
    const normalized = normalizeSchedule(schedule);
    await this.runtime.ready();
    const now = new Date();
    await this.runtime.recurring.upsert({
      queue: this.name,
      scheduleId,
      data,
      schedule: normalized,
      priority: opts.priority ?? QUEUE_PRIORITY.default,
      nextRunAt: firstRunAt(normalized, now, this.config.delayMultiplier, opts.startDelay),
      updatedAt: now,
    });
  }

  /** Removes the schedule (an unknown id is not an error: nothing to cancel). */
  async cancelRecurring(jobId: string): Promise<void> {
    await this.runtime.ready();
    await this.runtime.recurring.remove(this.name, jobId);
  }

  async listRecurringJobs(): Promise<string[]> {
    await this.runtime.ready();
    return (await this.runtime.recurring.list(this.name)).map((doc) => doc.scheduleId);
  }

  async getRecurringJobDetails(jobId: string): Promise<RecurringJobDetails | undefined> {
    await this.runtime.ready();
    const doc = await this.runtime.recurring.get(this.name, jobId);
    return doc ? toRecurringInfo(doc) : undefined;
  }

  async getInFlightCount(): Promise<number> {
    return this.consumers.reduce((sum, c) => sum + c.worker.getStats().currentJobs.length, 0);
  }

  async getStats(): Promise<NamedQueueStats> {
    const [counts, unassigned, live, groups] = await Promise.all([
      this.countDeliveries(),
      this.runtime.messages.countUnassigned(this.name, new Date()),
      this.runtime.groups.liveConsumers(this.name, new Date(Date.now() - 3 * this.config.consumerHeartbeatMs)),
      this.runtime.groups.list(this.name),
    ]);
    const perGroup = groups.map(({ group }) => {
      const c = counts.get(deliveryQueueName(this.name, group)) ?? {};
      return {
        name: group,
        consumers: live.get(group) ?? 0,
        pending: (c[JobStatus.Scheduled] ?? 0) + (c[JobStatus.Pending] ?? 0) + (c[JobStatus.Batched] ?? 0),
        processing: c[JobStatus.Processing] ?? 0,
        completed: c[JobStatus.Completed] ?? 0,
        failed: c[JobStatus.Dead] ?? 0,
      };
    });
    const sum = (key: 'pending' | 'processing' | 'completed' | 'failed') => perGroup.reduce((n, g) => n + g[key], 0);
    return {
      pending: sum('pending') + unassigned.ready + unassigned.delayed,
      processing: sum('processing'),
      completed: sum('completed'),
      failed: sum('failed'),
      consumerGroups: perGroup.length,
      groups: perGroup,
    };
  }

  async metrics(): Promise<QueueMetrics> {
    const [counts, unassigned] = await Promise.all([this.countDeliveries(), this.runtime.messages.countUnassigned(this.name, new Date())]);
    const total = (status: JobStatus) => [...counts.values()].reduce((n, c) => n + (c[status] ?? 0), 0);
    return {
      waiting: total(JobStatus.Pending) + total(JobStatus.Batched) + unassigned.ready,
      active: total(JobStatus.Processing),
      completed: total(JobStatus.Completed),
      failed: total(JobStatus.Dead),
      delayed: total(JobStatus.Scheduled) + unassigned.delayed,
    };
  }

  /** Deliveries of this queue per group queue and status (one aggregation over the claim index prefix). */
  private async countDeliveries(): Promise<Map<string, Partial<Record<JobStatus, number>>>> {
    await this.runtime.ready();
    return this.runtime.host.reads.countByQueueAndStatus(`${this.name}#`);
  }

  /**
   * Resolves when MongoDB (the store) answers a ping. Redis is not required: without it the
   * queue runs in degraded mode (health reports that).
   */
  async testConnection(): Promise<void> {
    try {
      await this.runtime.host.ping();
    } catch (error) {
      throw new QueueConnectionError(this.name, 'engine', `MongoDB: ${(error as Error).message}`, error);
    }
  }

  onProgress(listener: ProgressListener): () => void {
    const prefix = `${this.name}#`;
    const pattern = RedisKeys.progressPattern(this.runtime.host.config.cache.namespace, `${escapeGlob(this.name)}#*`);
    return this.runtime.host.progress.listen(pattern, (_channel, payload) => {
      const event = payload as { queue?: string; jobId?: string; progress?: number | Record<string, unknown> };
      if (!event.queue?.startsWith(prefix) || event.jobId === undefined || event.progress === undefined) return;
      const group = event.queue.slice(prefix.length);
      listener({ queue: this.name, consumerGroup: group, jobId: messageIdOf(this.name, group, event.jobId), progress: event.progress });
    });
  }

  /** Pauses in every process: here at once, elsewhere within a poll interval (consumers read the switch). */
  async pause(): Promise<void> {
    await this.runtime.host.setPaused(controlName(this.name), true, 'api');
  }

  async resume(): Promise<void> {
    await this.runtime.host.setPaused(controlName(this.name), false, 'api');
  }

  async isPaused(): Promise<boolean> {
    return this.runtime.host.isPaused(controlName(this.name));
  }

  pauseLocal(): void {
    this.pausedLocally = true;
    this.applyHolding();
  }

  resumeLocal(): void {
    this.pausedLocally = false;
    this.applyHolding();
  }

  setPolling(active: boolean, intervalMs?: number): void {
    this.polling = active;
    if (intervalMs !== undefined && intervalMs !== this.pollIntervalMs && !this.stopped) {
      // The ticker (schedules, repairs, retention) moves at once; consumers started later poll at it too.
      this.pollIntervalMs = intervalMs;
      clearInterval(this.ticker);
      this.ticker = this.startTicker();
    }
    this.applyHolding();
  }

  private applyHolding(): void {
    for (const { worker } of this.consumers) {
      if (this.polling && !this.pausedLocally) worker.resume();
      else worker.pause();
    }
  }

  async stop(graceMs = this.runtime.host.config.worker.shutdownTimeout): Promise<void> {
    this.stopped = true;
    clearInterval(this.ticker);
    clearInterval(this.heartbeat);
    const consumers = this.consumers.splice(0);
    await Promise.all(consumers.map((c) => c.worker.stop(graceMs)));
    await this.ticking;
    await Promise.all(consumers.map((c) => this.runtime.groups.leave(this.name, c.id).catch(() => undefined)));
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      const now = new Date();
      for (const c of this.consumers) {
        this.runtime.groups.heartbeat(this.name, c.group, c.id, c.startedAt, now).catch((error: Error) => this.logger.debug({ err: error.message }, 'consumer heartbeat failed'));
      }
    }, this.config.consumerHeartbeatMs);
    this.heartbeat.unref();
  }

  /** One pass of the queue's periodic work, skipped while a pass runs or polling is off. */
  private tick(): void {
    if (this.ticking || !this.polling || this.stopped) return;
    // Without Redis (degraded mode) every process ticks: tick job ids keep each run single. The
    // host's own Redis state is probed then, as no worker of the host writes to Redis meanwhile.
    const host = this.runtime.host;
    const pass = host.redisUsable
      ? host.runExclusive(this.keys.taskLock('ticker'), Math.max(5_000, this.pollIntervalMs * 3), () => this.tickOnce())
      : host.probeRedisWrites().then(() => this.tickOnce());
    this.ticking = pass
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn({ err: error.message }, 'queue tick failed; will retry'))
      .finally(() => (this.ticking = undefined));
  }

  /** Fires due schedules, delivers owed messages, applies retention. */
  private async tickOnce(): Promise<void> {
    await this.runtime.ready();
    const now = new Date();
    for (const schedule of await this.runtime.recurring.findDue(this.name, now, TICK_LIMIT)) {
      // The tick's job id makes the run exactly-once even if two processes fire the same tick.
      await this.runtime.enqueue(
        { queue: this.name, messageId: tickJobId(schedule.scheduleId, schedule.nextRunAt), data: schedule.data, priority: schedule.priority, lifo: false, delayMs: 0 },
        this.config.delayMultiplier,
      );
      await this.runtime.recurring.advance(schedule, nextRunAfter(schedule.schedule, schedule.nextRunAt, new Date(), this.config.delayMultiplier), new Date());
    }
    await this.runtime.deliverWaiting(this.name, this.config.delayMultiplier);
    if (now.getTime() - this.lastRetentionAt >= this.config.retentionIntervalMs) {
      this.lastRetentionAt = now.getTime();
      await this.runtime.prune(this.name, this.config.retention, now);
    }
  }
}

/** Queue names admit no glob characters today; escaping keeps the PSUBSCRIBE pattern exact if that changes. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
