import type Redis from 'ioredis';
import Redlock, { type Lock } from 'redlock';

export type { Lock } from 'redlock';

/**
 * redlock over the queue's Redis: job locks held while a handler runs, and singleton
 * task locks (loader, sweeper, scheduler). Acquisition never waits: a held lock means
 * someone else is doing the work, which is the answer the caller needs.
 */
export class TaskLocks {
  private readonly redlock: Redlock;

  constructor(redis: Redis) {
    this.redlock = new Redlock([redis], { retryCount: 0, driftFactor: 0.01, automaticExtensionThreshold: 500 });
    // redlock reports lost extensions through this event; callers handle them via extend()'s rejection.
    this.redlock.on('error', () => undefined);
  }

  /** The lock, or null when someone else holds it or Redis is unreachable. */
  async tryAcquire(resource: string, ttlMs: number): Promise<Lock | null> {
    try {
      return await this.redlock.acquire([resource], ttlMs);
    } catch {
      return null;
    }
  }

  /** The extended lock, or null when it was lost. */
  async extend(lock: Lock, ttlMs: number): Promise<Lock | null> {
    try {
      return await lock.extend(ttlMs);
    } catch {
      return null;
    }
  }

  async release(lock: Lock): Promise<void> {
    try {
      await lock.release();
    } catch {
      // Expired or Redis down: the lock's TTL frees it either way.
    }
  }

  /** Runs `task` only if the lock is free; returns undefined when another process holds it. */
  async runExclusive<T>(resource: string, ttlMs: number, task: () => Promise<T>): Promise<T | undefined> {
    const lock = await this.tryAcquire(resource, ttlMs);
    if (!lock) return undefined;
    try {
      return await task();
    } finally {
      await this.release(lock);
    }
  }
}
