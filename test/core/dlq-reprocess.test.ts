import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import { InvalidJobOptionsError, PermanentJobError, PriorityOutOfRangeError } from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

/** Refuses an address that is not lower-case and trimmed, like a strict mail relay would. */
const strictMail = defineJob({
  type: 'strict_mail',
  schema: z.object({ to: z.string(), subject: z.string().default('hello') }),
  defaults: { maxAttempts: 1 },
  async handle(data) {
    if (data.to !== data.to.toLowerCase().trim()) throw new PermanentJobError(`bad address "${data.to}"`);
    return { sent: data.to };
  },
});

/** A type whose data has a field named like a job option: corrections to it stay data. */
const rankedTask = defineJob({
  type: 'ranked_task',
  schema: z.object({ priority: z.enum(['low', 'high']), fail: z.boolean().default(false) }),
  defaults: { maxAttempts: 1 },
  async handle(data) {
    if (data.fail) throw new PermanentJobError('asked to fail');
    return { ranked: data.priority };
  },
});

describe('reprocessing DLQ entries with data and option corrections', () => {
  const harness = new QueueHarness('dlq_reprocess');
  let manager: QueueManager;

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager({ name: 'reprocess', dlq: { maxReprocessAttempts: 3 } });
    manager.registerJob(strictMail).registerJob(rankedTask);
    await harness.worker(manager, 2);
  });
  afterAll(() => harness.stop());

  async function settled(jobId: string) {
    return waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(jobId);
      return doc && (doc.status === JobStatus.Completed || (doc.status === JobStatus.Dead && !doc.dlqPending)) ? doc : null;
    }, `job ${jobId} to settle`);
  }

  async function deadLettered(data: Record<string, unknown>, type = 'strict_mail') {
    const { jobId } = await manager.addJob({ type, data, priority: 16 });
    await settled(jobId);
    return waitFor(() => manager.findDLQEntryByJobId(jobId), `the DLQ entry of ${jobId}`);
  }

  it('runs the documented recovery: corrected data, maxAttempts as an option, result.jobId', async () => {
    const jobToRecover = await deadLettered({ to: '  Someone@Example.COM ' });
    expect(jobToRecover.id).toBe(jobToRecover._id.toHexString());
    const data = jobToRecover.data as { to: string };

    const newJob = await manager.reprocessDLQEntry(jobToRecover.id.toString(), 'admin_user', {
      to: data.to.toLowerCase().trim(),
      maxAttempts: 3,
    });
    expect(newJob.jobId).toBe(`${jobToRecover.jobId}:reprocess:1`);
    expect(newJob.newJobId).toBe(newJob.jobId);
    expect(newJob.dataCorrections).toEqual({ to: 'someone@example.com' });
    expect(newJob.optionCorrections).toEqual({ maxAttempts: 3 });
    // maxAttempts is an option of the job, not a field of its data.
    expect(newJob.dataAfter).toEqual({ to: 'someone@example.com', subject: 'hello' });

    const done = await settled(newJob.jobId);
    expect(done).toMatchObject({ status: 'completed', maxAttempts: 3, data: { to: 'someone@example.com' }, result: { sent: 'someone@example.com' }, reprocessOf: jobToRecover.jobId });
    expect(done.history[0]).toMatchObject({ from: null, by: 'admin_user' });
    expect(done.history[0].reason).toContain(`DLQ entry ${jobToRecover.id}`);
    expect(done.history[0].reason).toContain('maxAttempts=3');

    const audited = await manager.findDLQEntryByJobId(jobToRecover.jobId);
    expect(audited?.reprocessCount).toBe(1);
    expect(audited?.reprocessHistory[0]).toMatchObject({
      by: 'admin_user',
      newJobId: newJob.jobId,
      corrections: { to: 'someone@example.com', maxAttempts: 3 },
      dataCorrections: { to: 'someone@example.com' },
      optionCorrections: { maxAttempts: 3 },
    });
  });

  it('applies priority and delay corrections to the new job, and records them', async () => {
    const entry = await deadLettered({ to: 'Later@Example.com' });
    const result = await manager.reprocessDLQEntry(entry.id, 'ops', { to: 'later@example.com', priority: 3, delay: 60_000 });
    const job = await manager.jobRepository.findByJobId(result.jobId);
    expect(job).toMatchObject({ status: 'scheduled', priority: 3, band: 'LOW', data: { to: 'later@example.com' } });
    expect(job!.runAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(result.entry.reprocessHistory.at(-1)).toMatchObject({ optionCorrections: { priority: 3, delay: 60_000 }, dataCorrections: { to: 'later@example.com' } });
  });

  it('refuses option corrections addJob would refuse, and writes nothing', async () => {
    const entry = await deadLettered({ to: 'Bounds@Example.com' });
    await expect(manager.reprocessDLQEntry(entry.id, 'ops', { priority: 99 })).rejects.toBeInstanceOf(PriorityOutOfRangeError);
    await expect(manager.reprocessDLQEntry(entry.id, 'ops', { maxAttempts: 0 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    await expect(manager.reprocessDLQEntry(entry.id, 'ops', { maxAttempts: 2.5 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    expect((await manager.findDLQEntryByJobId(entry.jobId))?.reprocessCount).toBe(0);
    expect(await manager.jobRepository.findByJobId(`${entry.jobId}:reprocess:1`)).toBeNull();
  });

  it('keeps a correction in the data when the type declares a field of that name', async () => {
    const entry = await deadLettered({ priority: 'low', fail: true }, 'ranked_task');
    const result = await manager.reprocessDLQEntry(entry.id, 'ops', { priority: 'high', fail: false });
    expect(result.dataCorrections).toEqual({ priority: 'high', fail: false });
    expect(result.optionCorrections).toEqual({});
    const done = await settled(result.jobId);
    expect(done).toMatchObject({ status: 'completed', priority: entry.priority, result: { ranked: 'high' } });
  });

  it('gives entries listed by severity an id that markDLQAsReviewed accepts', async () => {
    const entry = await deadLettered({ to: 'Review@Example.com' });
    const criticalDLQJobs = await manager.getDLQEntriesBySeverity('critical', { limit: 10 });
    expect(criticalDLQJobs.map((e) => e.jobId)).toContain(entry.jobId);
    for (const dlqEntry of criticalDLQJobs) {
      const reviewed = await manager.markDLQAsReviewed(dlqEntry.id.toString(), 'admin_user');
      expect(reviewed).toMatchObject({ id: dlqEntry.id, review: { by: 'admin_user' } });
    }
    expect((await manager.dlqRepository.findById(entry.id))?.review).toMatchObject({ by: 'admin_user' });
  });
});
