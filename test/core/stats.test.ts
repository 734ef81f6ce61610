import { JobStatus } from '../../src/domain/job-status';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

describe('queue, worker and DLQ statistics as documented', () => {
  const harness = new QueueHarness('stats');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('getQueueStats: pending, processing, completed, failed and batchInfo from the Redis batches', async () => {
    const manager = await harness.manager({ name: 'stats-queue', batch: { size: 2 } });
    await manager.addJobs(Array.from({ length: 5 }, (_, i) => ({ type: 'test_job', data: { label: `s-${i}` }, priority: 7 })));
    const waiting = await manager.getQueueStats();
    expect(waiting).toMatchObject({ pending: 5, processing: 0, completed: 0, failed: 0 });
    // Five ready ids, all pushed into Redis on add; batches of two: three loads' worth.
    expect(waiting.batchInfo).toMatchObject({ currentBatch: 5, totalBatches: 3, batchSize: 2 });
    expect(waiting.batchInfo.cacheHitRate).toBeGreaterThanOrEqual(0);
    expect(waiting.batchInfo.cacheHitRate).toBeLessThanOrEqual(1);

    const { jobId: doomed } = await manager.addJob({ type: 'test_job', data: { label: 'doomed', permanent: true } });
    await harness.worker(manager, 2);
    const done = await waitFor(async () => {
      const stats = await manager.getQueueStats();
      return stats.completed === 5 && stats.failed === 1 ? stats : null;
    }, 'five completed jobs and one failed');
    expect(done).toMatchObject({ pending: 0, processing: 0, batchInfo: { currentBatch: 0, totalBatches: 0 } });
    // The worker in this process took its jobs from the Redis batches.
    expect(done.batchInfo.cacheHitRate).toBeGreaterThan(0);

    const dlqStats = await manager.getDLQStats();
    await waitFor(() => manager.findDLQEntryByJobId(doomed), 'the DLQ entry');
    expect(await manager.getDLQStats()).toMatchObject({
      totalEntries: 1,
      byJobType: { test_job: 1 },
      byFailureReason: { permanent_error: 1 },
      bySeverity: { medium: 1 },
      oldestEntry: expect.any(Date),
    });
    expect(Object.keys(dlqStats).sort()).toEqual(['byFailureReason', 'byJobType', 'bySeverity', 'oldestEntry', 'totalEntries']);
  });

  it('worker.getStats: workerId, isRunning, processedJobs, failedJobs, uptime and the job running now', async () => {
    const manager = await harness.manager({ name: 'worker-stats' });
    const worker = await harness.worker(manager, 1);
    const idle = worker.getStats();
    expect(idle).toMatchObject({ workerId: worker.workerId, isRunning: true, processedJobs: 0, failedJobs: 0, currentJob: null, currentJobs: [] });

    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'held', holdMs: 600 } });
    const running = await waitFor(() => (worker.getStats().currentJob === jobId ? worker.getStats() : null), 'the held job to be current');
    expect(running.currentJobs).toEqual([jobId]);
    expect(running.uptime).toBeGreaterThan(idle.uptime);

    await manager.addJob({ type: 'test_job', data: { label: 'fails', permanent: true } });
    const after = await waitFor(() => {
      const stats = worker.getStats();
      return stats.processedJobs === 1 && stats.failedJobs === 1 && stats.currentJob === null ? stats : null;
    }, 'one processed and one failed job');
    expect(after.isRunning).toBe(true);
    expect((await manager.jobRepository.findByJobId(jobId))?.status).toBe(JobStatus.Completed);

    await worker.stop(1_000);
    expect(worker.getStats()).toMatchObject({ isRunning: false, uptime: 0, processedJobs: 1, failedJobs: 1 });
  });
});
