import { queuePartsOf } from '../../src/composition/create-queue-manager';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import { BANDS_IN_ORDER } from '../../src/domain/priority-band';
import { RedisKeys } from '../../src/cache/redis-keys';
import { QueueHarness } from '../support/queue-harness';
import { ClusterTopology, redisCommand } from '../support/redis-topologies';
import { holdsThroughout, waitFor } from '../support/wait-for';
import { clientsIn, expectBandOrder, expectEveryJobOnce, expectWakeUp } from './support/delivery-scenarios';

describe('Redis Cluster: three masters', () => {
  const topology = new ClusterTopology();
  const harness = new QueueHarness('cluster', { topology });
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it("keeps every key of one queue in one slot, and spreads queues over the masters", async () => {
    const keys = new RedisKeys('ns', 'orders');
    const queueKeys = [...BANDS_IN_ORDER.flatMap((band) => [keys.band(band), keys.bandRenewal(band)]), keys.wake(), keys.jobLock('j1'), keys.taskLock('loader'), keys.taskStamp('sweep'), keys.workers(), keys.progress(), keys.cacheValue('x')];
    const slots = await Promise.all(queueKeys.map((key) => redisCommand(topology.nodes[0].port, 'CLUSTER', 'KEYSLOT', key)));
    expect(new Set(slots).size).toBe(1);
    const nodes = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((q) => topology.nodeOf(new RedisKeys('ns', q).band('HIGH'))));
    expect(new Set(nodes).size).toBeGreaterThan(1);
  });

  it('starts higher bands first, higher priority first, then FIFO', () => expectBandOrder(harness, 'order'));

  it('runs every job exactly once across two workers', () => expectEveryJobOnce(harness, 'once', 150), 60_000);

  it('wakes an idle worker blocked in BZMPOP on its queue\'s node', async () => {
    const port = await topology.nodeOf(new RedisKeys(harness.namespace, 'wake').band('LOW'));
    await expectWakeUp(harness, 'wake', () => clientsIn(port, 'bzmpop'));
  });

  it('takes redlock locks on the cluster: one holder at a time, free again once released', async () => {
    const manager = await harness.manager({ name: 'locks' });
    const { locks } = queuePartsOf(manager);
    const resource = manager.keys.jobLock('job-1');
    const first = await locks.acquire(resource, 5_000);
    expect('lock' in first).toBe(true);
    expect(await locks.acquire(resource, 5_000)).toEqual({ held: true });
    const owner = await topology.nodeOf(resource);
    expect(await redisCommand(owner, 'EXISTS', resource)).toBe(1);
    if ('lock' in first) await locks.release(first.lock);
    expect('lock' in (await locks.acquire(resource, 5_000))).toBe(true);
  });

  it('delivers progress over pub/sub from the worker to a listener', async () => {
    const manager = await harness.manager({ name: 'progress' });
    manager.registerJob(
      defineJob({
        type: 'progress_job',
        schema: z.object({}),
        async handle(_data, context) {
          await context.reportProgress(50);
          await context.reportProgress(100);
        },
      }),
    );
    const events: unknown[] = [];
    const unsubscribe = manager.onProgress((event) => events.push(event.progress));
    await manager.progressFeed.ready();
    await harness.worker(manager, 1);
    const { jobId } = await manager.addJob({ type: 'progress_job', data: {} });
    await waitFor(() => events.length === 2, 'both progress events');
    unsubscribe();
    expect(events).toEqual([50, 100]);
    expect((await manager.jobRepository.findByJobId(jobId))?.status).toBe(JobStatus.Completed);
  });

  it('pauses the queue: nothing starts while paused, everything after resume', async () => {
    const manager = await harness.manager({ name: 'pause' });
    await manager.pauseQueue();
    await harness.worker(manager, 2);
    await manager.addJobs(Array.from({ length: 5 }, (_, i) => ({ type: 'test_job', data: { label: `pause-${i}` } })));
    const started = () => harness.runs.filter((r) => r.label.startsWith('pause-')).length;
    await holdsThroughout(() => started() === 0, 'no job starts while the queue is paused');
    await manager.resumeQueue();
    await waitFor(() => started() === 5, 'the 5 jobs after resume');
  });

  it("loses no job and runs none twice when the master of the queue's slot restarts empty mid-run", async () => {
    const manager = await harness.manager({ name: 'node-restart' });
    const n = 300;
    const added = await manager.addJobs(Array.from({ length: n }, (_, i) => ({ type: 'test_job', data: { label: `restart-${i}`, holdMs: 2 } })));
    await harness.worker(manager, 4);
    const runs = () => harness.runs.filter((r) => r.label.startsWith('restart-'));
    await waitFor(() => runs().length >= n / 5, 'a fifth of the jobs to run');
    const port = await topology.nodeOf(manager.keys.band('NORMAL'));
    await topology.nodes.find((node) => node.port === port)!.restart();
    await topology.untilOk();
    const store = queuePartsOf(manager).store.collection;
    await waitFor(async () => (await store.countDocuments({ queue: 'node-restart', status: JobStatus.Completed })) === n, `all ${n} jobs to complete`, 40_000);
    expect(runs()).toHaveLength(n);
    expect(new Set(runs().map((r) => r.jobId))).toEqual(new Set(added.map((a) => a.jobId)));
  }, 60_000);
});
