import { JobStatus } from '../../src/domain/job-status';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

/** Redis is an accelerator: losing it (flush, crash, restart) must lose no job. */
describe('losing Redis', () => {
  const harness = new QueueHarness('redis_loss');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  async function completedCount(queue: string): Promise<number> {
    const manager = harness.managers[0];
    return queuePartsOf(manager).store.collection.countDocuments({ queue, status: JobStatus.Completed });
  }

  it('completes every job when Redis is flushed mid-run', async () => {
    const manager = await harness.manager({ name: 'flush', batch: { size: 20 } });
    const n = 150;
    await manager.addJobs(Array.from({ length: n }, (_, i) => ({ type: 'test_job', data: { label: `f${i}`, holdMs: 2 } })));
    await manager.loadNextBatch();
    await harness.worker(manager, 3);
    await waitFor(async () => (await completedCount('flush')) >= 20, 'some progress');
    await queuePartsOf(manager).redis.flushall();
    await waitFor(async () => (await completedCount('flush')) === n, 'all jobs after the flush', 30_000);
    const labels = harness.runs.filter((r) => r.label.startsWith('f'));
    expect(new Set(labels.map((r) => r.jobId)).size).toBe(n);
    // No crash happened, so no job ran twice.
    expect(labels).toHaveLength(n);
  });

  it('keeps working in degraded mode while Redis is down and recovers when it returns', async () => {
    const manager = await harness.manager({ name: 'outage' });
    const worker = await harness.worker(manager, 2);
    await manager.addJobs(Array.from({ length: 20 }, (_, i) => ({ type: 'test_job', data: { label: `before${i}` } })));
    await waitFor(async () => (await completedCount('outage')) === 20, 'jobs before the outage');

    await harness.redis.kill();
    const degraded = await waitFor(async () => {
      const health = await manager.checkHealth();
      return health.overall === 'degraded' ? health : null;
    }, 'health to report degraded');
    expect(degraded.redis.status).toBe('disconnected');
    expect(degraded.mongodb.status).toBe('connected');

    // Adding still works (MongoDB is the source of truth) and workers claim straight from MongoDB.
    await manager.addJobs(Array.from({ length: 20 }, (_, i) => ({ type: 'test_job', data: { label: `during${i}` } })));
    await waitFor(async () => (await completedCount('outage')) === 40, 'jobs during the outage', 20_000);
    expect(manager.lifecycle.counters.misses).toBeGreaterThan(0);

    await harness.redis.start(harness.redis.port);
    await waitFor(async () => (await manager.checkHealth()).overall === 'healthy', 'health to recover', 20_000);
    const hitsBefore = manager.lifecycle.counters.hits;
    await manager.addJobs(Array.from({ length: 20 }, (_, i) => ({ type: 'test_job', data: { label: `after${i}` } })));
    await waitFor(async () => (await completedCount('outage')) === 60, 'jobs after recovery', 20_000);
    expect(manager.lifecycle.counters.hits).toBeGreaterThan(hitsBefore);
    await waitFor(() => worker.getStats().processedJobs === 60, 'the worker to count 60 processed jobs');
  });

  it('rebuilds the batches from MongoDB after a restart wiped Redis', async () => {
    const manager = await harness.manager({ name: 'restart', batch: { size: 10 } });
    await manager.addJobs(Array.from({ length: 30 }, (_, i) => ({ type: 'test_job', data: { label: `r${i}` }, priority: 1 + (i % 20) })));
    await manager.loadNextBatch();
    await harness.redis.restart();
    await waitFor(async () => manager.lifecycle.redisUsable, 'redis to reconnect', 10_000);
    expect((await manager.getQueueStats()).batchInfo.currentBatch).toBe(0);
    await harness.worker(manager, 2);
    await waitFor(async () => (await completedCount('restart')) === 30, 'all jobs after the restart', 20_000);
  });
});
