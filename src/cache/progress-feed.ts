import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import { createRedisClient } from './redis-connection';

type Listener = (channel: string, payload: unknown) => void;

/**
 * Progress events across processes: a handler's progress is published on a Redis channel and
 * every process listening receives it. One subscriber connection serves all listeners; it is
 * opened on the first listener and closed with the feed. Progress is also stored on the job in
 * MongoDB, so a listener that missed an event (Redis down) can read the latest value there.
 */
export class ProgressFeed {
  private subscriber: Redis | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly logger: Logger;

  constructor(
    private readonly config: QueueConfig['redis'],
    logger: Logger,
  ) {
    this.logger = logger.child({ component: 'progress-feed' });
  }

  /** Publishes an event (best effort: progress is advisory, the job document holds the truth). */
  async publish(publisher: Redis, channel: string, payload: unknown): Promise<void> {
    if (publisher.status !== 'ready') return;
    try {
      await publisher.publish(channel, JSON.stringify(payload));
    } catch (error) {
      this.logger.debug({ err: (error as Error).message }, 'could not publish progress');
    }
  }

  /** Listens on a channel pattern (Redis PSUBSCRIBE glob); returns the unsubscribe function. */
  listen(pattern: string, listener: Listener): () => void {
    const subscriber = this.connection();
    let set = this.listeners.get(pattern);
    if (!set) {
      set = new Set();
      this.listeners.set(pattern, set);
      subscriber.psubscribe(pattern).catch((error: Error) => this.logger.warn({ pattern, err: error.message }, 'progress subscription failed'));
    }
    set.add(listener);
    return () => {
      const current = this.listeners.get(pattern);
      if (!current?.delete(listener) || current.size > 0) return;
      this.listeners.delete(pattern);
      subscriber.punsubscribe(pattern).catch(() => undefined);
    };
  }

  /** Resolves once every subscription is active (a test or a caller that must not miss the next event). */
  async ready(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber) return;
    if (subscriber.status !== 'ready') await new Promise<void>((resolve) => subscriber.once('ready', () => resolve()));
    // A PING after the PSUBSCRIBEs answers only once they are in effect (replies are in order).
    await subscriber.ping().catch(() => undefined);
  }

  close(): void {
    this.listeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    // Subscriptions are replayed by ioredis after a reconnect; commands may wait for the connection.
    const subscriber = createRedisClient(this.config, this.logger, 'progress', { enableOfflineQueue: true, autoResubscribe: true, commandTimeout: undefined });
    subscriber.on('pmessage', (pattern: string, channel: string, message: string) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message);
      } catch {
        return;
      }
      for (const listener of this.listeners.get(pattern) ?? []) {
        try {
          listener(channel, payload);
        } catch (error) {
          this.logger.warn({ err: (error as Error).message }, 'progress listener threw');
        }
      }
    });
    subscriber.connect().catch(() => undefined);
    this.subscriber = subscriber;
    return subscriber;
  }
}
