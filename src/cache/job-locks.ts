import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { LuaScript } from './lua-script';
import type { RedisWriteHealth } from './redis-write-health';

/**
 * KEYS: lock keys. ARGV[1]: the token, ARGV[2]: TTL in ms. Sets each free key to the token and
 * answers 1 for it, 0 for a key someone else holds.
 */
const ACQUIRE = new LuaScript(`
local taken = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then taken[i] = 1 else taken[i] = 0 end
end
return taken
`);

/** KEYS: lock keys; ARGV: their tokens, in the same order. Deletes each key still holding its token. */
const RELEASE = new LuaScript(`
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i] then redis.call('DEL', key) end
end
return 0
`);

/** KEYS[1]: the lock key; ARGV[1]: its token, ARGV[2]: TTL in ms. 1 when extended, 0 when the lock was lost. */
const EXTEND = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/** A held job lock: its key and the token only its holder knows. */
export interface JobLock {
  readonly resources: readonly string[];
  readonly token: string;
  readonly expiresAt: number;
}

interface Pending<T> {
  key: string;
  resolve: (value: T) => void;
}

/**
 * The locks jobs run under while their handler runs (a held lock means another worker still runs
 * the job). The jobs of one claim start in the same tick, so their locks are taken by one script
 * call (one round trip, one token for all of them), and the locks released in the same tick go
 * in one call too. Compare-and-set on the token, as redlock does on one Redis; the job's MongoDB
 * lease, not this lock, fences its writes.
 */
export class JobLocks {
  private acquiring: Array<Pending<JobLock | null>> = [];
  private releasing: Array<{ lock: JobLock; resolve: () => void }> = [];

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly health?: RedisWriteHealth,
  ) {}

  /** The lock of `key`, or null when another holder has it or Redis could not answer (the write health says which). */
  acquire(key: string): Promise<JobLock | null> {
    return new Promise((resolve) => {
      this.acquiring.push({ key, resolve });
      if (this.acquiring.length === 1) setImmediate(() => void this.flushAcquires());
    });
  }

  /** Frees the lock if it is still this holder's; never rejects (a lost release is covered by the TTL). */
  release(lock: JobLock): Promise<void> {
    return new Promise((resolve) => {
      this.releasing.push({ lock, resolve });
      if (this.releasing.length === 1) setImmediate(() => void this.flushReleases());
    });
  }

  /** The lock with a renewed TTL, or null when it was lost (expired and taken, or Redis failed). */
  async extend(lock: JobLock): Promise<JobLock | null> {
    try {
      const extended = await EXTEND.run(this.redis, lock.resources, [lock.token, this.ttlMs]);
      return Number(extended) === 1 ? { ...lock, expiresAt: Date.now() + this.ttlMs } : null;
    } catch {
      return null;
    }
  }

  private async flushAcquires(): Promise<void> {
    const batch = this.acquiring;
    this.acquiring = [];
    if (this.redis.status !== 'ready') {
      this.health?.recordFailure(new Error(`redis connection ${this.redis.status}`));
      batch.forEach((p) => p.resolve(null));
      return;
    }
    const token = randomBytes(16).toString('hex');
    try {
      const taken = (await ACQUIRE.run(this.redis, batch.map((p) => p.key), [token, this.ttlMs])) as number[];
      this.health?.recordSuccess();
      const expiresAt = Date.now() + this.ttlMs;
      batch.forEach((p, i) => p.resolve(Number(taken[i]) === 1 ? { resources: [p.key], token, expiresAt } : null));
    } catch (error) {
      this.health?.recordFailure(error instanceof Error ? error : new Error(String(error)));
      batch.forEach((p) => p.resolve(null));
    }
  }

  private async flushReleases(): Promise<void> {
    const batch = this.releasing;
    this.releasing = [];
    try {
      await RELEASE.run(this.redis, batch.map((r) => r.lock.resources[0]), batch.map((r) => r.lock.token));
    } catch {
      // Expired or Redis down: each lock's TTL frees it.
    } finally {
      batch.forEach((r) => r.resolve());
    }
  }
}
