import type { QueueConfig } from '../../config/queue-config';
import type { CachedJob } from '../../cache/batch-cache';
import type { ProgressFeed } from '../../cache/progress-feed';
import type { JobRegistry } from '../../registry/job-registry';
import type { JobReads } from '../../storage/job-reads';
import type { JobStore } from '../../storage/job-store';
import type { WorkerHost } from '../../worker/worker-port';
import type { ConsumerGroups } from '../../storage/consumer-groups';
import type { MessageStore } from '../../storage/message-store';
import type { RecurringStore } from '../../storage/recurring-store';

/** One consumer group's engine queue (`<queue>#<group>`): what its consumers run on and how deliveries reach Redis. */
export interface DeliveryQueue {
  /** What a consumer's QueueWorker works on. */
  readonly worker: WorkerHost;
  /** Puts ready deliveries into the group's Redis bands (a Redis failure is logged; the loader recovers them). */
  offer(jobs: CachedJob[]): Promise<void>;
}

/** The stores of the named-queue engine: messages, consumer groups and their consumers, recurring schedules. */
export interface EngineStores {
  messages: MessageStore;
  groups: ConsumerGroups;
  recurring: RecurringStore;
}

/**
 * What the engine backend needs from the manager that hosts it, and all it needs (the composition
 * root implements it on the manager's connections): stores, delivery queues, pause switches,
 * the connections' state and the queue-wide ticker lock.
 */
export interface EngineHost {
  /** The hosting manager's configuration (namespace, limits, timeouts). */
  readonly config: QueueConfig;
  readonly stores: EngineStores;
  /** The jobs collection's store and reads (deliveries are engine jobs). */
  readonly jobs: JobStore;
  readonly reads: JobReads;
  /** The shared progress subscriber (named queues listen on patterns of it). */
  readonly progress: ProgressFeed;
  /** Redis connected and accepting writes. */
  readonly redisUsable: boolean;
  /** The delivery queue of one group; `registry` holds the consumer's handler (none: offering only). */
  deliveryQueue(name: string, options: { controlQueue: string; registry?: JobRegistry }): DeliveryQueue;
  setPaused(controlQueue: string, paused: boolean, by: string): Promise<void>;
  isPaused(controlQueue: string): Promise<boolean>;
  /** Resolves when MongoDB answers a ping. */
  ping(): Promise<void>;
  /** While Redis refuses writes, one probing write (see JobLifecycle.probeRedisWrites). */
  probeRedisWrites(): Promise<void>;
  /** Runs `task` under a Redis task lock; undefined when another process holds it. */
  runExclusive<T>(resource: string, ttlMs: number, task: () => Promise<T>): Promise<T | undefined>;
}

/** Whether a plugin context's host is an engine host (third-party hosts are not). */
export function isEngineHost(host: unknown): host is EngineHost {
  return typeof host === 'object' && host !== null && 'deliveryQueue' in host && 'stores' in host;
}
