import Redis from 'ioredis';
import { JobLocks } from '../../src/cache/job-locks';
import { RedisWriteHealth } from '../../src/cache/redis-write-health';
import { LocalRedisServer } from '../../src/devservers/redis';

/** Script calls (EVALSHA + EVAL) the server has run so far. */
async function scriptCalls(admin: Redis): Promise<number> {
  const stats = await admin.info('commandstats');
  return ['evalsha', 'eval'].reduce((sum, name) => sum + Number(new RegExp(`^cmdstat_${name}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0), 0);
}

describe('job locks', () => {
  const server = new LocalRedisServer();
  let redis: Redis;
  let admin: Redis;
  beforeAll(async () => {
    await server.start();
    redis = new Redis({ port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    admin = new Redis({ port: server.port, lazyConnect: true });
    await Promise.all([redis.connect(), admin.connect()]);
  });
  afterAll(async () => {
    redis.disconnect();
    admin.disconnect();
    await server.stop();
  });

  it('takes the locks asked for in one tick with one script call, and not a lock someone holds', async () => {
    const locks = new JobLocks(redis, 5_000);
    // The scripts' first runs load them (EVALSHA refused, then EVAL): not what is measured.
    await locks.release((await locks.acquire('lk:warm-up'))!);
    await admin.set('lk:held', 'someone-else', 'PX', 5_000);
    const before = await scriptCalls(admin);
    const taken = await Promise.all(['lk:a', 'lk:b', 'lk:held', 'lk:c'].map((key) => locks.acquire(key)));
    expect(await scriptCalls(admin)).toBe(before + 1);
    expect(taken.map((lock) => lock?.resources[0] ?? null)).toEqual(['lk:a', 'lk:b', null, 'lk:c']);
    expect(await admin.pttl('lk:a')).toBeGreaterThan(4_000);
    // A second holder cannot take a held lock.
    expect(await locks.acquire('lk:a')).toBeNull();

    // Releases of one tick go in one call; a release never frees a lock that is no longer its holder's.
    await admin.set('lk:c', 'taken-over', 'PX', 5_000);
    const beforeRelease = await scriptCalls(admin);
    await Promise.all(taken.filter((lock) => lock !== null).map((lock) => locks.release(lock!)));
    expect(await scriptCalls(admin)).toBe(beforeRelease + 1);
    expect(await admin.exists('lk:a', 'lk:b')).toBe(0);
    expect(await admin.get('lk:c')).toBe('taken-over');
    expect(await admin.get('lk:held')).toBe('someone-else');
  });

  it('extends a lock it holds and reports one it lost', async () => {
    const locks = new JobLocks(redis, 5_000);
    const lock = (await locks.acquire('lk:extend'))!;
    await admin.pexpire('lk:extend', 100);
    const extended = await locks.extend(lock);
    expect(extended).not.toBeNull();
    expect(await admin.pttl('lk:extend')).toBeGreaterThan(4_000);
    await admin.set('lk:extend', 'new-holder');
    expect(await locks.extend(lock)).toBeNull();
    await locks.release(lock);
    expect(await admin.get('lk:extend')).toBe('new-holder');
  });

  it('answers no lock and tells the write health when Redis refuses writes', async () => {
    const health = new RedisWriteHealth();
    const locks = new JobLocks(redis, 5_000, health);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    try {
      expect(await Promise.all([locks.acquire('lk:oom-1'), locks.acquire('lk:oom-2')])).toEqual([null, null]);
      expect(health.refusing).toBe(true);
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    expect(await locks.acquire('lk:oom-1')).not.toBeNull();
    expect(health.refusing).toBe(false);
  });
});
