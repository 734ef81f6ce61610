import type Redis from 'ioredis';
import Redlock, { ExecutionError, ResourceLockedError, type Lock } from 'redlock';
import type { RedisWriteHealth } from './redis-write-health';

export type { Lock } from 'redlock';

/** An acquisition's answer: the lock, "someone else holds it", or Redis failed to say. */
export type LockAttempt = { lock: Lock } | { held: true } | { error: Error };

/**
 * redlock over the queue's Redis: job locks held while a handler runs, and singleton
 * task locks (loader, sweeper, scheduler). Acquisition never waits: a held lock means
 * someone else is doing the work, which is the answer the caller needs. A Redis error is not
 * "held": it is reported as such (and to the write health), so callers can fall back.
 */
export class TaskLocks {
  private readonly redlock: Redlock;

  constructor(
    private readonly redis: Redis,
    private readonly health?: RedisWriteHealth,
  ) {
    this.redlock = new Redlock([redis], { retryCount: 0, driftFactor: 0.01, automaticExtensionThreshold: 500 });
    // redlock reports lost extensions through this event; callers handle them via extend()'s rejection.
    this.redlock.on('error', () => undefined);
  }

  /** Tries once: the lock, held elsewhere, or the Redis error that prevented an answer. */
  async acquire(resource: string, ttlMs: number): Promise<LockAttempt> {
    if (this.redis.status !== 'ready') return { error: new Error(`redis connection ${this.redis.status}`) };
    try {
      const lock = await this.redlock.acquire([resource], ttlMs);
      this.health?.recordSuccess();
      return { lock };
    } catch (error) {
      const cause = await refusalCause(error);
      if (!cause) return { held: true };
      this.health?.recordFailure(cause);
      return { error: cause };
    }
  }

  /** The lock, or null when someone else holds it or Redis could not be used. */
  async tryAcquire(resource: string, ttlMs: number): Promise<Lock | null> {
    const attempt = await this.acquire(resource, ttlMs);
    return 'lock' in attempt ? attempt.lock : null;
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

  /**
   * Runs `task` only if the lock is free; returns undefined when another process holds it. When
   * Redis cannot answer, `unavailable` decides (default: skip, as if held).
   */
  async runExclusive<T>(resource: string, ttlMs: number, task: () => Promise<T>, unavailable?: () => Promise<T | undefined>): Promise<T | undefined> {
    const attempt = await this.acquire(resource, ttlMs);
    if ('held' in attempt) return undefined;
    if ('error' in attempt) return unavailable?.();
    try {
      return await task();
    } finally {
      await this.release(attempt.lock);
    }
  }
}

/** The Redis error behind a failed acquisition, or undefined when the lock is simply held. */
async function refusalCause(error: unknown): Promise<Error | undefined> {
  if (!(error instanceof ExecutionError)) return error instanceof Error ? error : new Error(String(error));
  const last = error.attempts.at(-1);
  if (!last) return error;
  const stats = await last;
  const votes = [...stats.votesAgainst.values()];
  if (votes.length === 0 || votes.some((vote) => vote instanceof ResourceLockedError)) return undefined;
  return votes[0];
}
