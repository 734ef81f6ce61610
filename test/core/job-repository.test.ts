import { JobStatus } from '../../src/domain/job-status';
import { InvalidJobOptionsError } from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('job repository: lookups as documented, and deleteMany scoped to one queue', () => {
  const harness = new QueueHarness('job_repository');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('findByJobId gives jobId, status, attempts, maxAttempts, createdAt and processingAt (null before a run)', async () => {
    const manager = await harness.manager({ name: 'lookup' });
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'looked-up' }, jobId: 'job_12345', maxAttempts: 4 });
    const waiting = await manager.jobRepository.findByJobId('job_12345');
    expect(waiting).toMatchObject({ jobId, status: 'pending', attempts: 0, maxAttempts: 4, processingAt: null });
    expect(waiting?.createdAt).toBeInstanceOf(Date);

    const before = Date.now();
    await harness.worker(manager, 1);
    const job = await waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(jobId);
      return doc?.status === JobStatus.Completed ? doc : null;
    }, 'the job to complete');
    expect(job).toMatchObject({ jobId, attempts: 1, maxAttempts: 4 });
    expect(job.processingAt).toBeInstanceOf(Date);
    expect(job.processingAt!.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(job.processingAt!.getTime()).toBeLessThanOrEqual(job.completedAt!.getTime());
    expect(await manager.jobRepository.findByJobId('no-such-job')).toBeNull();
  });

  it('lists by status with the documented sort, by priority range, and scheduled jobs due by a time', async () => {
    const manager = await harness.manager({ name: 'listings' });
    // No worker: the jobs stay where they are added.
    const low = await manager.addJob({ type: 'test_job', data: { label: 'low' }, priority: 2 });
    const criticalOld = await manager.addJob({ type: 'test_job', data: { label: 'crit-old' }, priority: 16 });
    await waitFor(() => Date.now() > criticalOld.runAt.getTime() + 2, 'a later creation time');
    const criticalNew = await manager.addJob({ type: 'test_job', data: { label: 'crit-new' }, priority: 16 });
    const top = await manager.addJob({ type: 'test_job', data: { label: 'top' }, priority: 20 });

    const pendingJobs = await manager.jobRepository.getJobsByStatus('pending', { limit: 50, sort: { priority: -1, createdAt: 1 } });
    expect(pendingJobs.map((j) => j.jobId)).toEqual([top.jobId, criticalOld.jobId, criticalNew.jobId, low.jobId]);
    const newestFirst = await manager.jobRepository.getJobsByStatus('pending', { limit: 2, sort: { createdAt: -1 } });
    expect(newestFirst.map((j) => j.jobId)).toEqual([top.jobId, criticalNew.jobId]);
    await expect(manager.jobRepository.getJobsByStatus('pending', { sort: { data: 1 } as never })).rejects.toBeInstanceOf(InvalidJobOptionsError);

    const criticalJobs = await manager.jobRepository.getJobsByPriority(15, 20, { limit: 100 });
    expect(criticalJobs.map((j) => j.jobId)).toEqual([top.jobId, criticalOld.jobId, criticalNew.jobId]);
    expect((await manager.jobRepository.getJobsByPriority(15, 20, { limit: 1 })).map((j) => j.jobId)).toEqual([top.jobId]);

    // A job whose time has come but that no scheduler released yet, and one still in the future.
    const due = await manager.addJob({ type: 'test_job', data: { label: 'due' }, delay: 150 });
    const later = await manager.addJob({ type: 'test_job', data: { label: 'later' }, delay: 3_600_000 });
    await waitFor(() => Date.now() > due.runAt.getTime(), 'the first job to be due');
    // Still delayed now: the later one only (the due one waits for the scheduler, listed without a time).
    const delayedJobs = await manager.jobRepository.getScheduledJobs(new Date(), { limit: 100 });
    expect(delayedJobs.map((j) => j.jobId)).toEqual([later.jobId]);
    expect((await manager.jobRepository.getScheduledJobs()).map((j) => j.jobId)).toEqual([due.jobId, later.jobId]);

    for (const job of [due, ...delayedJobs]) {
      const moved = await manager.jobRepository.rescheduleJob(job.jobId, new Date(Date.now() + 300000));
      expect(moved.ok && moved.value.status).toBe(JobStatus.Scheduled);
    }
    // Both are delayed by five minutes now, the formerly due one first (it was rescheduled first).
    expect((await manager.jobRepository.getScheduledJobs(new Date(), { limit: 100 })).map((j) => j.jobId)).toEqual([due.jobId, later.jobId]);
    const rescheduled = await manager.jobRepository.findByJobId(due.jobId);
    expect(rescheduled!.runAt.getTime()).toBeGreaterThan(Date.now() + 290_000);
    expect(rescheduled!.history.at(-1)).toMatchObject({ from: 'scheduled', to: 'scheduled', by: 'api' });
  });

  it('deleteMany clears only this queue (another queue sharing the collection keeps its jobs) and empties its Redis batches', async () => {
    const mine: QueueManager = await harness.manager({ name: 'clear-me' });
    const other: QueueManager = await harness.manager({ name: 'keep-me' });
    await mine.addJobs(Array.from({ length: 5 }, (_, i) => ({ type: 'test_job', data: { label: `mine-${i}` }, priority: 16 })));
    await mine.addJob({ type: 'test_job', data: { label: 'mine-later' }, delay: 60_000 });
    const kept = await other.addJobs(Array.from({ length: 3 }, (_, i) => ({ type: 'test_job', data: { label: `other-${i}` } })));
    expect((await mine.getQueueStats()).batchInfo.currentBatch).toBe(5);
    expect((await other.getQueueStats()).batchInfo.currentBatch).toBe(3);

    // A filter naming the other queue still cannot reach it.
    expect(await mine.jobRepository.deleteMany({ queue: 'keep-me' })).toBe(0);
    expect(await mine.jobRepository.deleteMany({ status: JobStatus.Scheduled })).toBe(1);
    expect(await mine.jobRepository.deleteMany({})).toBe(5);

    const store = queuePartsOf(mine).store.collection;
    expect(await store.countDocuments({ queue: 'clear-me' })).toBe(0);
    expect(await store.countDocuments({ queue: 'keep-me' })).toBe(3);
    expect((await mine.getQueueStats()).batchInfo.currentBatch).toBe(0);
    expect((await other.getQueueStats()).batchInfo.currentBatch).toBe(3);
    for (const { jobId } of kept) expect(await other.jobRepository.findByJobId(jobId)).not.toBeNull();
    expect(await mine.jobRepository.deleteMany({})).toBe(0);
  });
});
