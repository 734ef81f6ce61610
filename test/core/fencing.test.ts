import { JobStatus } from '../../src/domain/job-status';
import { MaintenanceLoop } from '../../src/scheduler/maintenance-loop';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('leases and fencing', () => {
  const harness = new QueueHarness('fencing');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('refuses the completion of a worker whose lease expired and whose job another worker now holds', async () => {
    const manager = await harness.manager({ worker: { lockTimeout: 300, heartbeatInterval: 100 } });
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'contested' } });
    const [first] = await manager.lifecycle.take('worker-a', 1);
    expect(first.doc.jobId).toBe(jobId);
    expect(await manager.lifecycle.markStarted(first)).toBe(true);

    // worker-a's handler started, then it stalls (no heartbeat); its lease expires and the sweeper returns the job.
    const sweeper = new MaintenanceLoop(queuePartsOf(manager), harness.logger);
    await waitFor(async () => (await sweeper.sweep()).stalled === 1, 'the sweeper to recover the stalled job', 5_000);
    const [second] = await waitFor(() => manager.lifecycle.take('worker-b', 1).then((jobs) => (jobs.length ? jobs : null)), 'worker-b to claim');
    expect(second.doc.jobId).toBe(jobId);
    expect(second.doc.attempts).toBe(2);

    expect(await manager.lifecycle.complete(first, { from: 'a' })).toBe(false);
    expect(await manager.lifecycle.fail(first, new Error('late failure'), 5)).toBe('fenced');
    expect(await manager.lifecycle.extendLease(first)).toBe(false);
    expect(await manager.lifecycle.complete(second, { from: 'b' })).toBe(true);

    const doc = await manager.jobRepository.findByJobId(jobId);
    expect(doc).toMatchObject({ status: JobStatus.Completed, result: { from: 'b' } });
    expect(doc?.history.map((h) => `${h.from}->${h.to}:${h.by}`)).toEqual(
      expect.arrayContaining(['processing->pending:sweeper', 'processing->completed:worker-b']),
    );
  });

  it('never lets two workers hold the same job while a lease holds', async () => {
    const manager = await harness.manager({ name: 'contention' });
    const jobs = await manager.addJobs(Array.from({ length: 40 }, (_, i) => ({ type: 'test_job', data: { label: `c${i}` } })));
    const claims = await Promise.all(Array.from({ length: 8 }, (_, w) => manager.lifecycle.take(`w${w}`, 10)));
    const claimed = claims.flat().map((c) => c.doc.jobId);
    expect(new Set(claimed).size).toBe(claimed.length);
    for (const id of claimed) expect(jobs.map((j) => j.jobId)).toContain(id);
  });

  it('takes and releases the per-job redlock lock', async () => {
    const manager = await harness.manager({ name: 'locks' });
    const lock = await manager.acquireLock('job-1', 'w1');
    expect(lock).not.toBeNull();
    expect(await manager.acquireLock('job-1', 'w2')).toBeNull();
    await manager.releaseLock(lock!);
    const again = await manager.acquireLock('job-1', 'w2');
    expect(again).not.toBeNull();
    await manager.releaseLock(again!);
  });
});
