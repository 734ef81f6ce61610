import { JobStatus } from '../../src/domain/job-status';
import { ReprocessLimitError, InvalidJobDataError } from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

describe('retries and the dead-letter queue', () => {
  const harness = new QueueHarness('retries_dlq');
  let manager: QueueManager;

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager({ dlq: { maxReprocessAttempts: 2 } });
    await harness.worker(manager, 3);
  });
  afterAll(() => harness.stop());

  async function finished(jobId: string) {
    return waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(jobId);
      return doc && [JobStatus.Completed, JobStatus.Dead].includes(doc.status as 'completed') && !doc.dlqPending ? doc : null;
    }, `job ${jobId} to finish`);
  }

  it('retries a failing job with backoff until it succeeds, keeping each attempt error', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'flaky', failTimes: 2 }, backoff: { type: 'fixed', delay: 150 } });
    const doc = await finished(jobId);
    expect(doc.status).toBe(JobStatus.Completed);
    expect(doc.attempts).toBe(3);
    expect(doc.errors.map((e) => [e.attempt, e.code, e.workerId.length > 0])).toEqual([
      [1, 'TEST_FAILURE', true],
      [2, 'TEST_FAILURE', true],
    ]);
    expect(doc.errors[0].stack).toMatch(/attempt 1 of flaky failed/);
    const runs = harness.runs.filter((r) => r.jobId === jobId);
    // The backoff was waited (150 ms between attempts).
    expect(runs[1].startedAt - runs[0].startedAt).toBeGreaterThanOrEqual(140);
    expect(doc.history.map((h) => h.to)).toEqual(expect.arrayContaining(['scheduled', 'pending', 'processing', 'completed']));
  });

  it('moves an exhausted job to the DLQ with every attempt error, its history and a classified reason', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'doomed', failTimes: 10 }, priority: 17, maxAttempts: 3 });
    const doc = await finished(jobId);
    expect(doc.status).toBe(JobStatus.Dead);
    const entry = await waitFor(() => manager.findDLQEntryByJobId(jobId), 'DLQ entry');
    expect(entry).toMatchObject({ type: 'test_job', attempts: 3, severity: 'critical', failureReason: 'handler_error', reprocessCount: 0, review: null });
    expect(entry.errors).toHaveLength(3);
    expect(entry.history.at(-1)).toMatchObject({ from: 'processing', to: 'dead' });
    expect(entry.reasonText).toMatch(/attempts exhausted \(3\/3\)/);
  });

  it('skips remaining attempts on a permanent error', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'perm', permanent: true }, maxAttempts: 5, priority: 3 });
    const doc = await finished(jobId);
    expect(doc.status).toBe(JobStatus.Dead);
    expect(doc.attempts).toBe(1);
    const entry = await manager.findDLQEntryByJobId(jobId);
    expect(entry).toMatchObject({ failureReason: 'permanent_error', severity: 'low' });
  });

  it('retries after the delay a handler asks for', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'asks', retryAfterMs: 200 }, backoff: { type: 'fixed', delay: 0 } });
    const doc = await finished(jobId);
    expect(doc.status).toBe(JobStatus.Completed);
    const runs = harness.runs.filter((r) => r.jobId === jobId);
    expect(runs).toHaveLength(2);
    expect(runs[1].startedAt - runs[0].startedAt).toBeGreaterThanOrEqual(190);
  });

  it('aborts a handler past its timeout and counts it as a failed attempt', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'slow', holdMs: 10_000, ignoreSignal: true }, timeoutMs: 100, maxAttempts: 1 });
    const doc = await finished(jobId);
    expect(doc.status).toBe(JobStatus.Dead);
    expect(doc.lastError).toMatchObject({ code: 'JOB_TIMEOUT', name: 'JobTimeoutError' });
    expect((await manager.findDLQEntryByJobId(jobId))?.failureReason).toBe('timeout');
  });

  it('reprocesses a DLQ entry with corrections as a new linked job, bounded and recorded', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'fixable', failTimes: 99, value: 1 }, maxAttempts: 1 });
    await finished(jobId);
    const entry = await waitFor(() => manager.findDLQEntryByJobId(jobId), 'DLQ entry');

    await expect(manager.reprocessDLQEntry(String(entry._id), 'alice', { failTimes: 'zero' })).rejects.toBeInstanceOf(InvalidJobDataError);
    const result = await manager.reprocessDLQEntry(String(entry._id), 'alice', { failTimes: 0, value: 5 });
    expect(result.dataBefore).toMatchObject({ failTimes: 99, value: 1 });
    expect(result.dataAfter).toMatchObject({ failTimes: 0, value: 5, label: 'fixable' });
    expect(result.entry.reprocessCount).toBe(1);
    expect(result.entry.reprocessHistory[0]).toMatchObject({ by: 'alice', newJobId: result.newJobId, corrections: { failTimes: 0, value: 5 } });

    const reprocessed = await finished(result.newJobId);
    expect(reprocessed).toMatchObject({ status: 'completed', reprocessOf: jobId, result: { label: 'fixable', doubled: 10 } });
    expect(reprocessed.history[0]).toMatchObject({ by: 'alice' });

    await manager.reprocessDLQEntry(jobId, 'bob');
    await expect(manager.reprocessDLQEntry(jobId, 'carol')).rejects.toBeInstanceOf(ReprocessLimitError);
  });

  it('marks entries reviewed and reports DLQ stats and severities', async () => {
    // Entries of its own, so the test also holds when run alone (pnpm run test -- --grep "dlq").
    const others = await manager.addJobs([1, 2, 3].map((n) => ({ type: 'test_job', data: { label: `review-too-${n}`, permanent: true }, priority: 20 })));
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'review-me', permanent: true }, priority: 20 });
    await Promise.all([jobId, ...others.map((o) => o.jobId)].map((id) => finished(id)));
    const entry = await waitFor(() => manager.findDLQEntryByJobId(jobId), 'DLQ entry');
    const reviewed = await manager.markDLQAsReviewed(String(entry._id), 'dana', 'upstream bug, fixed');
    expect(reviewed.review).toMatchObject({ by: 'dana', note: 'upstream bug, fixed' });
    const critical = await manager.getDLQEntriesBySeverity('critical', { limit: 10 });
    expect(critical.map((e) => e.jobId)).toContain(jobId);
    const stats = await manager.getDLQStats();
    expect(stats.totalEntries).toBeGreaterThanOrEqual(4);
    expect(stats.byJobType.test_job).toBe(stats.totalEntries);
    expect(stats.byFailureReason.permanent_error).toBeGreaterThanOrEqual(2);
    expect(stats.bySeverity.critical).toBeGreaterThanOrEqual(2);
    expect(stats.oldestEntry).toBeInstanceOf(Date);
  });

  it('moves a waiting job to the DLQ by hand, naming the admin', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: {}, delay: 60_000 });
    const entry = await manager.moveToDLQ(jobId, 'customer asked to stop', 'erin');
    expect(entry).toMatchObject({ jobId, failureReason: 'manual', reasonText: 'customer asked to stop' });
    const doc = await manager.jobRepository.findByJobId(jobId);
    expect(doc?.status).toBe('dead');
    expect(doc?.history.at(-1)).toMatchObject({ from: 'scheduled', to: 'dead', by: 'erin' });
  });
});
