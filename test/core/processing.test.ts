import { JobStatus } from '../../src/domain/job-status';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('processing', () => {
  const harness = new QueueHarness('processing');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('runs N added jobs exactly N times across several workers', async () => {
    const manager = await harness.manager({ name: 'exactly-once' });
    const others = [await harness.manager({ name: 'exactly-once' }), await harness.manager({ name: 'exactly-once' })];
    const n = 120;
    const added = await manager.addJobs(Array.from({ length: n }, (_, i) => ({ type: 'test_job', data: { label: `job-${i}` }, priority: 1 + (i % 20) })));
    const workers = [await harness.worker(manager, 4), await harness.worker(others[0], 4), await harness.worker(others[1], 2)];
    await waitFor(async () => (await queuePartsOf(manager).store.collection.countDocuments({ queue: 'exactly-once', status: JobStatus.Completed })) === n, `${n} completed jobs`);
    const runsOfThese = harness.runs.filter((r) => r.label.startsWith('job-'));
    expect(runsOfThese).toHaveLength(n);
    expect(new Set(runsOfThese.map((r) => r.jobId)).size).toBe(n);
    expect(new Set(added.map((a) => a.jobId))).toEqual(new Set(runsOfThese.map((r) => r.jobId)));
    // Work was shared: more than one worker ran jobs.
    expect(new Set(runsOfThese.map((r) => r.workerId)).size).toBeGreaterThan(1);
    await waitFor(() => workers.reduce((sum, w) => sum + w.getStats().processedJobs, 0) === n, `the workers to count ${n} processed jobs`);
    const stats = await manager.getQueueStats();
    expect(stats).toMatchObject({ completed: n, pending: 0, processing: 0, failed: 0 });
  });

  it('starts higher bands first, higher priority first within a band, then FIFO (LIFO when asked)', async () => {
    const manager = await harness.manager({ name: 'ordering' });
    const plan: Array<[string, number, boolean?]> = [
      ['low-1', 2], ['normal-1', 7], ['low-2', 3], ['critical-1', 16], ['high-1', 12], ['normal-2', 7],
      ['critical-2', 20], ['normal-3', 9], ['high-2', 12], ['lifo-a', 5, true], ['lifo-b', 5, true],
    ];
    for (const [label, priority, lifo] of plan) {
      await manager.addJob({ type: 'test_job', data: { label }, priority, lifo });
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Make ready orders distinct in time for the FIFO assertion (ms resolution).
    await harness.worker(manager, 1);
    await waitFor(() => harness.runs.filter((r) => plan.some(([l]) => l === r.label)).length === plan.length, 'all ordering jobs');
    const order = harness.runs.filter((r) => plan.some(([l]) => l === r.label)).map((r) => r.label);
    expect(order).toEqual(['critical-2', 'critical-1', 'high-1', 'high-2', 'normal-3', 'normal-1', 'normal-2', 'lifo-b', 'lifo-a', 'low-2', 'low-1']);
  });

  it('records the result, timestamps and an audit entry for each transition', async () => {
    const manager = await harness.manager({ name: 'audit' });
    const worker = await harness.worker(manager, 1);
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'audited', value: 21 } });
    const doc = await waitFor(async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.status === JobStatus.Completed ? d : null;
    }, 'completion');
    expect(doc.result).toEqual({ label: 'audited', doubled: 42 });
    expect(doc.completedAt).toBeInstanceOf(Date);
    expect(doc.processingAt).toBeInstanceOf(Date);
    expect(doc.lockedBy).toBeNull();
    const transitions = doc.history.map((h) => `${h.from}->${h.to}`);
    expect(transitions[0]).toBe('null->pending');
    expect(transitions.at(-1)).toBe('processing->completed');
    expect(transitions).toContain(transitions.includes('batched->processing') ? 'batched->processing' : 'pending->processing');
    const claim = doc.history.find((h) => h.to === 'processing');
    expect(claim?.by).toBe(worker.workerId);
  });

  it('starts a newly added job within milliseconds on an idle worker (wake-up, not polling)', async () => {
    const manager = await harness.manager({ name: 'wakeup', worker: { pollInterval: 5_000 } });
    await harness.worker(manager, 1);
    // Let the worker settle into its blocking wait.
    await waitFor(async () => String(await queuePartsOf(manager).redis.client('LIST')).includes('cmd=bzmpop'), 'worker blocked on redis');
    const added = Date.now();
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'wake' } });
    const run = await waitFor(() => harness.runs.find((r) => r.jobId === jobId), 'the job to start');
    // Far below the 5 s poll interval.
    expect(run.startedAt - added).toBeLessThan(1_000);
  });

  it('promotes delayed jobs when due', async () => {
    const manager = await harness.manager({ name: 'delayed' });
    await harness.worker(manager, 1);
    const { jobId, status } = await manager.addJob({ type: 'test_job', data: { label: 'later' }, delay: 300 });
    expect(status).toBe(JobStatus.Scheduled);
    const run = await waitFor(() => harness.runs.find((r) => r.jobId === jobId), 'the delayed job to run');
    const doc = await manager.jobRepository.findByJobId(jobId);
    expect(run.startedAt).toBeGreaterThanOrEqual(doc!.runAt.getTime());
  });

  it('reports queue stats by status and band, with cache information', async () => {
    const manager = await harness.manager({ name: 'stats' });
    await manager.addJobs([
      { type: 'test_job', data: {}, priority: 20 },
      { type: 'test_job', data: {}, priority: 2 },
      { type: 'test_job', data: {}, priority: 2 },
      { type: 'test_job', data: {}, delay: 60_000 },
    ]);
    const stats = await manager.getQueueStats();
    expect(stats.pending + stats.batched).toBe(3);
    expect(stats.scheduled).toBe(1);
    expect(stats.byBand.LOW.pending + stats.byBand.LOW.batched).toBe(2);
    expect(stats.byBand.CRITICAL.pending + stats.byBand.CRITICAL.batched).toBe(1);
    expect(stats.batchInfo.currentBatch).toBe(3);
    expect(stats.batchInfo.cacheHitRate).toBeGreaterThanOrEqual(0);
    expect(stats.oldestReadyAgeMs.LOW).not.toBeNull();
    const health = await manager.checkHealth();
    expect(health.overall).toBe('healthy');
    expect(health.mongodb.status).toBe('connected');
    expect(health.redis.status).toBe('connected');
  });
});
