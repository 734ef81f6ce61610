/**
 * Two queues on one database and namespace: every lookup and change by jobId or DLQ entry id is
 * scoped to the queue it is made on. A second queue cannot see, cancel, reschedule, dead-letter,
 * review or reprocess the first queue's job or DLQ entry, and its admin API answers 404 for them.
 */
import { TransitionMiss } from '../../src/storage/transition-result';
import { createHttpServer } from '../../src/http/http-server';
import { DlqEntryNotFoundError, JobNotFoundError } from '../../src/errors';
import { QueueHarness } from '../support/queue-harness';

describe('queue isolation: lookups and changes by id stay within their queue', () => {
  const harness = new QueueHarness('queue_isolation');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it("a second queue cannot see or change the first queue's job", async () => {
    const first = await harness.manager({ name: 'first' });
    const second = await harness.manager({ name: 'second' });
    const { jobId } = await first.addJob({ type: 'test_job', data: { label: 'mine' }, jobId: 'isolated-waiting', delay: 60_000 });

    expect(await second.jobRepository.findByJobId(jobId)).toBeNull();
    expect(await second.cancelJob(jobId)).toEqual({ ok: false, reason: TransitionMiss.NotFound });
    expect(await second.jobRepository.rescheduleJob(jobId, new Date())).toEqual({ ok: false, reason: TransitionMiss.NotFound });
    await expect(second.moveToDLQ(jobId, 'not yours')).rejects.toBeInstanceOf(JobNotFoundError);

    const untouched = await first.jobRepository.findByJobId(jobId);
    expect(untouched).toMatchObject({ queue: 'first', status: 'scheduled' });
    expect(untouched!.history).toHaveLength(1);
  });

  it("a second queue cannot find, review or reprocess the first queue's DLQ entry, nor retry its dead job", async () => {
    const first = await harness.manager({ name: 'first-dlq' });
    const second = await harness.manager({ name: 'second-dlq' });
    const { jobId } = await first.addJob({ type: 'test_job', data: { label: 'dies' }, jobId: 'isolated-dead' });
    const entry = await first.moveToDLQ(jobId, 'moved by the test');
    const entryId = String(entry._id);

    expect(await second.findDLQEntryByJobId(jobId)).toBeNull();
    expect(await second.dlqRepository.findById(entryId)).toBeNull();
    expect(await second.dlqRepository.findByJobId(jobId)).toBeNull();
    await expect(second.markDLQAsReviewed(entryId, 'mallory')).rejects.toBeInstanceOf(DlqEntryNotFoundError);
    await expect(second.reprocessDLQEntry(entryId, 'mallory')).rejects.toBeInstanceOf(DlqEntryNotFoundError);
    await expect(second.reprocessDLQEntry(jobId, 'mallory')).rejects.toBeInstanceOf(DlqEntryNotFoundError);

    const tokens = [{ name: 'mallory', token: 'mallory-token-0123456789abcdef' }];
    const server = createHttpServer({ manager: second, logger: harness.logger, adminTokens: tokens });
    try {
      const headers = { authorization: `Bearer ${tokens[0].token}` };
      expect((await server.app.inject({ method: 'POST', url: `/admin/jobs/${jobId}/retry`, headers })).statusCode).toBe(404);
      expect((await server.app.inject({ method: 'GET', url: `/admin/dlq/${entryId}`, headers })).statusCode).toBe(404);
    } finally {
      await server.close();
    }

    // Nothing was added to either queue, and the entry was not touched.
    expect(await second.jobRepository.findByJobId(`${jobId}:reprocess:1`)).toBeNull();
    const own = await first.findDLQEntryByJobId(jobId);
    expect(own).toMatchObject({ reprocessCount: 0, review: null });
    // Its own queue still can.
    const result = await first.reprocessDLQEntry(entryId, 'alice');
    expect(await first.jobRepository.findByJobId(result.jobId)).toMatchObject({ queue: 'first-dlq', reprocessOf: jobId });
  });
});
