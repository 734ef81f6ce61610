import { queuePartsOf } from '../../src/composition/create-queue-manager';
import { LocalRedisServer } from '../../src/devservers/redis';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { clientsIn, expectBandOrder, expectEveryJobOnce, expectWakeUp } from './support/delivery-scenarios';

/** Redis 6.2 has no ZMPOP/BZMPOP; a Redis 7 with both renamed away stands in for it. */
describe('a Redis without ZMPOP/BZMPOP (the Redis 6.2 fallback)', () => {
  const harness = new QueueHarness('no_mpop', { redis: { config: ['rename-command ZMPOP ""', 'rename-command BZMPOP ""'] } });
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('is found out at connect, and the pop runs as a script', async () => {
    const manager = await harness.manager({ name: 'detect' });
    await expect(queuePartsOf(manager).redis.call('ZMPOP', 1, 'k', 'MIN')).rejects.toThrow(/unknown command/i);
    expect(await queuePartsOf(manager).cache.popMode()).toBe('script');
  });

  it('starts higher bands first, higher priority first, then FIFO', () => expectBandOrder(harness, 'order'));

  it('runs every job exactly once across two workers', () => expectEveryJobOnce(harness, 'once', 150), 60_000);

  it('wakes an idle worker through the wake-up list within milliseconds', () => expectWakeUp(harness, 'wake', () => clientsIn(harness.redis.port, 'blpop')));

  it('leaves no id behind: a batch popped by the script is claimed, a stale wake-up token costs nothing', async () => {
    const manager = await harness.manager({ name: 'leftover' });
    await manager.addJobs(Array.from({ length: 30 }, (_, i) => ({ type: 'test_job', data: { label: `leftover-${i}` }, priority: 7 })));
    await manager.loadNextBatch();
    const { redis } = queuePartsOf(manager);
    await redis.rpush(manager.keys.wake(), '1', '1', '1');
    await harness.worker(manager, 3);
    await waitFor(() => harness.runs.filter((r) => r.label.startsWith('leftover-')).length === 30, 'the 30 leftover jobs');
    const sizes = await queuePartsOf(manager).cache.sizes();
    expect(Object.values(sizes).every((size) => size === 0)).toBe(true);
  });

  it('switches by itself when the server it reconnects to has no ZMPOP (a failover to an older node)', async () => {
    const modern = new QueueHarness('mpop_switch');
    await modern.start();
    const older = new LocalRedisServer({ config: ['rename-command ZMPOP ""', 'rename-command BZMPOP ""'] });
    try {
      const manager = await modern.manager({ name: 'switch' });
      await modern.worker(manager, 2);
      await manager.addJob({ type: 'test_job', data: { label: 'before' } });
      await waitFor(() => modern.runs.some((r) => r.label === 'before'), 'the job run on Redis 7');
      expect(await queuePartsOf(manager).cache.popMode()).toBe('mpop');
      // The same address now answers from a server without ZMPOP/BZMPOP.
      await modern.redis.kill();
      await older.start(modern.redis.port);
      // Asked again after the reconnection: no one tells the queue the server changed.
      await waitFor(async () => (await queuePartsOf(manager).cache.popMode().catch(() => undefined)) === 'script', 'the switch to the script pop');
      await manager.addJobs(Array.from({ length: 20 }, (_, i) => ({ type: 'test_job', data: { label: `after-${i}` } })));
      await waitFor(() => modern.runs.filter((r) => r.label.startsWith('after-')).length === 20, 'the 20 jobs on the older server');
    } finally {
      await modern.stop();
      await older.stop();
    }
  });
});
