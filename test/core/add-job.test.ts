import { JobStatus } from '../../src/domain/job-status';
import {
  InvalidJobDataError,
  InvalidJobOptionsError,
  PayloadTooLargeError,
  PriorityOutOfRangeError,
  UnknownJobTypeError,
} from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('addJob', () => {
  const harness = new QueueHarness('add_job');
  let manager: QueueManager;

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager({ limits: { maxPayloadBytes: 2048 } });
  });
  afterAll(() => harness.stop());

  async function jobCount(): Promise<number> {
    return queuePartsOf(manager).store.collection.countDocuments({});
  }
  async function cachedCount(): Promise<number> {
    const sizes = await queuePartsOf(manager).cache.sizes();
    return Object.values(sizes).reduce((a, b) => a + b, 0);
  }

  it('stores a ready job with its band, audit entry and a Redis batch entry', async () => {
    const result = await manager.addJob({ type: 'test_job', data: { label: 'a' }, priority: 12 });
    expect(result).toMatchObject({ status: JobStatus.Pending, priority: 12, band: 'HIGH', deduplicated: false });
    const doc = await manager.jobRepository.findByJobId(result.jobId);
    expect(doc).toMatchObject({ type: 'test_job', data: { label: 'a', failTimes: 0 }, attempts: 0, maxAttempts: 3 });
    expect(doc?.history).toEqual([expect.objectContaining({ from: null, to: 'pending', by: 'api' })]);
    const sizes = await queuePartsOf(manager).cache.sizes();
    expect(sizes.HIGH).toBeGreaterThanOrEqual(1);
  });

  it.each([
    ['an unknown type', { type: 'no_such_type', data: {} }, UnknownJobTypeError],
    ['data failing the schema', { type: 'test_job', data: { failTimes: -1 } }, InvalidJobDataError],
    ['a priority above the range', { type: 'test_job', data: {}, priority: 21 }, PriorityOutOfRangeError],
    ['a priority below the range', { type: 'test_job', data: {}, priority: 0 }, PriorityOutOfRangeError],
    ['an oversized payload', { type: 'test_job', data: { label: 'x'.repeat(5000) } }, PayloadTooLargeError],
    ['a malformed option', { type: 'test_job', data: {}, delay: -5 }, InvalidJobOptionsError],
    ['an unknown option', { type: 'test_job', data: {}, colour: 'red' }, InvalidJobOptionsError],
    ['a bad scheduledFor', { type: 'test_job', data: {}, scheduledFor: 'not a date' }, InvalidJobOptionsError],
  ])('rejects %s with a typed error and writes nothing', async (_name, input, errorClass) => {
    const before = await jobCount();
    const cachedBefore = await cachedCount();
    await expect(manager.addJob(input as never)).rejects.toBeInstanceOf(errorClass);
    expect(await jobCount()).toBe(before);
    expect(await cachedCount()).toBe(cachedBefore);
  });

  it('names the problem in the error', async () => {
    await expect(manager.addJob({ type: 'test_job', data: { failTimes: 'x' } } as never)).rejects.toThrow(/failTimes/);
    await expect(manager.addJob({ type: 'test_job', data: {}, priority: 99 })).rejects.toMatchObject({ code: 'PRIORITY_OUT_OF_RANGE' });
  });

  it('rejects a whole bulk add when one job is bad, writing nothing', async () => {
    const before = await jobCount();
    await expect(
      manager.addJobs([
        { type: 'test_job', data: { label: 'ok' } },
        { type: 'test_job', data: { label: 'bad' }, priority: 500 },
      ]),
    ).rejects.toBeInstanceOf(PriorityOutOfRangeError);
    expect(await jobCount()).toBe(before);
  });

  it('deduplicates by caller jobId: the second add returns the existing job', async () => {
    const first = await manager.addJob({ type: 'test_job', data: { label: 'first' }, jobId: 'order:42' });
    const second = await manager.addJob({ type: 'test_job', data: { label: 'second' }, jobId: 'order:42', priority: 20 });
    expect(first.deduplicated).toBe(false);
    expect(second).toMatchObject({ jobId: 'order:42', deduplicated: true, priority: first.priority });
    expect(await queuePartsOf(manager).store.collection.countDocuments({ jobId: 'order:42' })).toBe(1);
    const doc = await manager.jobRepository.findByJobId('order:42');
    expect((doc?.data as { label: string }).label).toBe('first');
  });

  it('adds in bulk, deduplicating inside the batch and against stored jobs', async () => {
    const results = await manager.addJobs([
      { type: 'test_job', data: { label: 'b1' }, jobId: 'bulk-1' },
      { type: 'test_job', data: { label: 'b2' }, jobId: 'bulk-2' },
      { type: 'test_job', data: { label: 'b1 again' }, jobId: 'bulk-1' },
      { type: 'test_job', data: { label: 'old' }, jobId: 'order:42' },
    ]);
    expect(results.map((r) => r.deduplicated)).toEqual([false, false, true, true]);
    expect(await queuePartsOf(manager).store.collection.countDocuments({ jobId: { $in: ['bulk-1', 'bulk-2'] } })).toBe(2);
  });

  it('schedules delayed jobs and jobs with a future scheduledFor', async () => {
    const delayed = await manager.addJob({ type: 'test_job', data: {}, delay: 60_000 });
    const at = new Date(Date.now() + 3_600_000);
    const scheduled = await manager.addJob({ type: 'test_job', data: {}, scheduledFor: at });
    expect(delayed.status).toBe(JobStatus.Scheduled);
    expect(scheduled.status).toBe(JobStatus.Scheduled);
    expect(scheduled.runAt.getTime()).toBe(at.getTime());
    const listed = await manager.jobRepository.getScheduledJobs();
    expect(listed.map((j) => j.jobId)).toEqual(expect.arrayContaining([delayed.jobId, scheduled.jobId]));
  });

  it('reschedules and cancels waiting jobs, refusing finished ones', async () => {
    const job = await manager.addJob({ type: 'test_job', data: {}, delay: 60_000 });
    const moved = await manager.jobRepository.rescheduleJob(job.jobId, new Date(Date.now() - 1000), 'alice');
    expect(moved.ok && moved.value.status).toBe(JobStatus.Pending);
    const cancelled = await manager.cancelJob(job.jobId, 'alice', 'not needed');
    expect(cancelled.ok && cancelled.value.status).toBe(JobStatus.Cancelled);
    const again = await manager.cancelJob(job.jobId, 'alice');
    expect(again).toEqual({ ok: false, reason: 'wrong_status' });
    expect(await manager.cancelJob('missing-job', 'alice')).toEqual({ ok: false, reason: 'not_found' });
    const doc = await manager.jobRepository.findByJobId(job.jobId);
    expect(doc?.history.map((h) => [h.from, h.to, h.by])).toEqual([
      [null, 'scheduled', 'api'],
      ['scheduled', 'pending', 'alice'],
      ['pending', 'cancelled', 'alice'],
    ]);
  });
});
