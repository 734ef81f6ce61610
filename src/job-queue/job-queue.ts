import type { Logger } from 'pino';
import { loadConfig } from '../config/environment';
import { InvalidJobOptionsError } from '../errors';
import { createLogger } from '../logging/logger';
import { queuePartsOf } from '../composition/create-queue-manager';
import { QueueFactory } from '../composition/queue-factory';
import type { QueueManager } from '../manager/queue-manager';
import type { DeliveredJob, MessageBackoff, NamedQueue, ProgressEvent, QueueJobContext } from '../queue-api/queue-api';
import { DeadLetterRelay, type DeadLetterMessage } from './dead-letter-relay';
import type { Job, JobProcessor, JobProgressListener, JobQueueMetrics } from './job';
import { toQueuePriority } from './job-priority';
import { JobQueueStateError } from './job-queue-errors';
import { parseJobOptions, resolveJobQueueOptions, type JobBackoff, type JobOptions, type JobQueueOptions, type ResolvedJobQueueOptions } from './job-queue-options';
import { repeatId, toRecurringSchedule } from './repeat-schedule';

/** The consumer group every JobQueue worker joins: its workers share the jobs (a work queue). */
export const JOB_QUEUE_GROUP = 'job-queue';

/** Options that a repeat rule cannot carry: ticks run with the queue's defaults. */
const NOT_WITH_REPEAT = ['priority', 'attempts', 'backoff', 'delay', 'lifo'] as const;

interface Connected<T> {
  manager: QueueManager;
  /** True when this JobQueue opened the connections (and closes them on shutdown). */
  ownsManager: boolean;
  queue: NamedQueue<T>;
  unsubscribe: () => void;
}

/**
 * A BullMQ-style job queue on the product's engine: jobs are messages of the named queue `name`
 * (MongoDB as the truth, Redis batches, locks and wake-ups), processed by the consumer group
 * `job-queue` in every process that called start(). Nothing connects until the first call that
 * needs it; shutdown() closes what this object opened.
 */
export class JobQueue<T> {
  readonly name: string;
  private readonly options: ResolvedJobQueueOptions;
  private readonly listeners = new Set<JobProgressListener>();
  private connecting: Promise<Connected<T>> | undefined;
  private relay: DeadLetterRelay | undefined;
  private logger: Logger | undefined;
  private started = false;
  private closed = false;

  constructor(private readonly input: JobQueueOptions) {
    this.options = resolveJobQueueOptions(input);
    this.name = this.options.name;
  }

  /** Connects (if not yet) and processes jobs with `processor` until shutdown(); resolves once consuming has started. */
  async start<R>(processor: JobProcessor<T, R>): Promise<void> {
    if (this.started) throw new JobQueueStateError(this.name, 'start() was already called; one processor per JobQueue');
    this.started = true;
    try {
      const { manager, queue } = await this.ready();
      await queue.consume((job, context) => processor(this.toJob(job, context)), {
        consumerGroup: JOB_QUEUE_GROUP,
        // Repeat ticks get the queue's default attempts; enqueued jobs carry their own.
        maxRetries: this.options.defaults.attempts - 1,
        ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
      });
      if (this.options.deadLetterQueueName !== undefined) {
        const target = manager.getQueue<DeadLetterMessage>(this.options.deadLetterQueueName);
        this.relay = new DeadLetterRelay(queuePartsOf(manager).store, this.name, JOB_QUEUE_GROUP, target, this.log());
        this.relay.start(this.options.deadLetterScanIntervalMs ?? manager.config.worker.pollInterval);
      }
    } catch (error) {
      this.started = false;
      throw error;
    }
  }

  /** Adds a job (or, with `repeat`, a repeatable job) and resolves to its id. */
  async enqueue(data: T, options?: JobOptions): Promise<string> {
    const opts = parseJobOptions(options);
    if (opts.repeat) {
      const given = NOT_WITH_REPEAT.filter((key) => opts[key] !== undefined);
      if (given.length > 0) {
        throw new InvalidJobOptionsError([`enqueue: ${given.join(', ')} cannot be combined with repeat (ticks run with the queue's defaultJobOptions)`]);
      }
      const id = opts.jobId ?? repeatId(opts.repeat);
      const { queue } = await this.ready();
      await queue.scheduleRecurring(id, data, toRecurringSchedule(opts.repeat));
      return id;
    }
    const priority = toQueuePriority(opts.priority);
    const { queue } = await this.ready();
    return queue.enqueue(data, {
      priority,
      startDelay: (opts.delay ?? 0) / 1000,
      attempts: opts.attempts ?? this.options.defaults.attempts,
      backoff: toMessageBackoff(opts.backoff ?? this.options.defaults.backoff),
      ...(opts.lifo !== undefined ? { lifo: opts.lifo } : {}),
      ...(opts.jobId !== undefined ? { jobId: opts.jobId } : {}),
    });
  }

  /** Stops a repeatable job (the id enqueue returned for it); its ticks already enqueued still run. */
  async removeRepeatable(id: string): Promise<void> {
    const { queue } = await this.ready();
    await queue.cancelRecurring(id);
  }

  /** Receives `{ jobId, progress }` from every process's updateProgress; returns the unsubscribe function. */
  onProgress(listener: JobProgressListener): () => void {
    this.listeners.add(listener);
    // The subscription starts with the connection; a failure to connect is also reported by the next call that awaits it.
    if (!this.closed) void this.ready().catch((error: Error) => this.logger?.warn({ err: error.message }, 'progress subscription waits for a connection'));
    return () => void this.listeners.delete(listener);
  }

  /** Connects and waits until progress events from other processes are received. */
  async waitUntilReady(): Promise<void> {
    const { manager } = await this.ready();
    await manager.progressFeed.ready();
  }

  async metrics(): Promise<JobQueueMetrics> {
    const { queue } = await this.ready();
    const { waiting, active, completed, failed, delayed } = await queue.metrics();
    return { waiting, active, completed, failed, delayed };
  }

  /** Stops every process's workers from taking jobs (running jobs finish) until resume(). */
  async pause(): Promise<void> {
    await (await this.ready()).queue.pause();
  }

  async resume(): Promise<void> {
    await (await this.ready()).queue.resume();
  }

  /**
   * Stops taking jobs, lets running ones finish (aborting them through their signal after
   * shutdownGraceMs), stops forwarding to the dead-letter queue, and closes the connections this
   * JobQueue opened. A manager passed in stays open; its named queue `name` stays stopped.
   */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.relay?.stop();
    const connected = await this.connecting?.catch(() => undefined);
    if (!connected) return;
    connected.unsubscribe();
    const graceMs = this.options.shutdownGraceMs ?? connected.manager.config.worker.shutdownTimeout;
    if (this.started) await connected.queue.stop(graceMs);
    if (connected.ownsManager) await connected.manager.shutdown(graceMs);
    this.log().info('job queue shut down');
  }

  /** BullMQ's name for shutdown(). */
  close(): Promise<void> {
    return this.shutdown();
  }

  private ready(): Promise<Connected<T>> {
    if (this.closed) return Promise.reject(new JobQueueStateError(this.name, 'was shut down; create a new JobQueue'));
    this.connecting ??= this.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async connect(): Promise<Connected<T>> {
    let manager = this.input.manager;
    const ownsManager = manager === undefined;
    if (manager) {
      await manager.start();
    } else {
      // The connections of getDefaultQueueManager (MONGO_URI, REDIS_*, QUEUE_*), but this JobQueue's own.
      const env = loadConfig(process.env);
      this.logger = (this.input.logger ?? createLogger({ level: env.logLevel, name: 'job-queue' })).child({ component: 'job-queue', queue: this.name });
      manager = await QueueFactory.createDefault(this.input.config ?? {}, this.logger);
    }
    const queue = manager.getQueue<T>(this.name);
    const unsubscribe = queue.onProgress((event) => this.emitProgress(event));
    this.log().debug({ ownsManager }, 'job queue connected');
    return { manager, ownsManager, queue, unsubscribe };
  }

  private emitProgress(event: ProgressEvent): void {
    if (event.consumerGroup !== undefined && event.consumerGroup !== JOB_QUEUE_GROUP) return;
    for (const listener of this.listeners) {
      try {
        listener({ jobId: event.jobId, progress: event.progress });
      } catch (error) {
        this.logger?.warn({ err: (error as Error).message }, 'progress listener threw');
      }
    }
  }

  private toJob(job: DeliveredJob<T>, context: QueueJobContext): Job<T> {
    return {
      id: job.id,
      name: this.name,
      data: job.data,
      // The named queue counts this attempt (1 on the first run).
      attemptsMade: Math.max(0, (job.attempts ?? 1) - 1),
      timestamp: new Date(job.timestamp).getTime(),
      signal: context.signal,
      updateProgress: (progress) => context.reportProgress(progress),
    };
  }

  private log(): Logger {
    this.logger ??= (this.input.logger ?? createLogger({ level: 'info', name: 'job-queue' })).child({ component: 'job-queue', queue: this.name });
    return this.logger;
  }
}

function toMessageBackoff(backoff: JobBackoff): MessageBackoff {
  return { type: backoff.type, delaySeconds: backoff.delay / 1000 };
}
