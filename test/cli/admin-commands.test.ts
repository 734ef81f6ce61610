import { JobStatus } from '../../src/domain/job-status';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { cliEnv, inParallel, runCli, runCliJson, TEST_JOB_MODULE } from './cli-process';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

// Each test starts several CLI processes (tsx compiles on start): slow on a loaded machine.
jest.setTimeout(90_000);

interface ReviewedEntry {
  _id: string;
  review: { by: string; at: string; note?: string } | null;
}

interface ReprocessOutput {
  newJobId: string;
  dataAfter: Record<string, unknown>;
  entry: { reprocessCount: number; reprocessHistory: Array<{ by: string; newJobId: string; corrections: Record<string, unknown> }> };
}

/** Commands that write: the audit trail must name the admin; bad calls must change nothing. */
describe('queue CLI: admin actions and errors', () => {
  const harness = new QueueHarness('cli_admin');
  let manager: QueueManager;
  let env: NodeJS.ProcessEnv;
  const dead: string[] = [];

  async function settled(jobId: string, status: string) {
    return waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(jobId);
      return doc?.status === status && !doc.dlqPending ? doc : null;
    }, `job ${jobId} to be ${status}`);
  }

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    await harness.worker(manager, 2);
    env = cliEnv(harness);
    for (const label of ['review-me', 'review-me-too', 'fix-me']) {
      const { jobId } = await manager.addJob({ type: 'test_job', data: { label, failTimes: 5, value: 4 }, maxAttempts: 1, priority: 12 });
      dead.push(jobId);
    }
    await Promise.all(dead.map((jobId) => settled(jobId, JobStatus.Dead)));
  });
  afterAll(() => harness.stop());

  it('dlq review records the admin from --as, or from $QUEUE_ADMIN', async () => {
    const [byOption, byEnv] = await inParallel([
      () => runCliJson<ReviewedEntry>(['dlq', 'review', dead[0], '--note', 'bad address, told the customer', '--as', 'alice'], env),
      () => runCliJson<ReviewedEntry>(['dlq', 'review', dead[1]], { ...env, QUEUE_ADMIN: 'bob' }),
    ] as const);
    expect(byOption.review).toMatchObject({ by: 'alice', note: 'bad address, told the customer' });
    expect(byEnv.review?.by).toBe('bob');
    const stored = await manager.findDLQEntryByJobId(dead[0]);
    expect(stored?.review).toMatchObject({ by: 'alice', note: 'bad address, told the customer' });
    expect((await manager.findDLQEntryByJobId(dead[1]))?.review?.by).toBe('bob');
  });

  it('dlq reprocess adds a corrected job whose audit trail names the admin', async () => {
    const entry = await manager.findDLQEntryByJobId(dead[2]);
    const result = await runCliJson<ReprocessOutput>(
      ['--jobs-module', TEST_JOB_MODULE, 'dlq', 'reprocess', String(entry?._id), '--corrections', '{"failTimes":0,"value":5}', '--as', 'carol'],
      env,
    );
    expect(result.dataAfter).toMatchObject({ label: 'fix-me', failTimes: 0, value: 5 });
    expect(result.entry.reprocessCount).toBe(1);
    expect(result.entry.reprocessHistory[0]).toMatchObject({ by: 'carol', newJobId: result.newJobId, corrections: { failTimes: 0, value: 5 } });

    const stored = await manager.findDLQEntryByJobId(dead[2]);
    expect(stored?.reprocessHistory.map((r) => r.by)).toEqual(['carol']);
    const job = await settled(result.newJobId, JobStatus.Completed);
    expect(job.history[0]).toMatchObject({ by: 'carol' });
    expect(job.reprocessOf).toBe(dead[2]);
    expect(job.result).toMatchObject({ doubled: 10 });
  });

  it('add stores a job as the admin; an unregistered type is a clean UNKNOWN_JOB_TYPE that writes nothing', async () => {
    const [added, unknown] = await inParallel([
      () =>
        runCliJson<{ jobId: string; band: string; deduplicated: boolean }>(
          ['--jobs-module', TEST_JOB_MODULE, 'add', 'test_job', '{"label":"from-cli","value":2}', '--priority', '17', '--job-id', 'cli-added-1', '--as', 'dave'],
          env,
        ),
      () => runCli(['add', 'test_job', '{"label":"nobody knows me here"}', '--job-id', 'cli-unknown-1'], env),
    ] as const);
    expect(added).toMatchObject({ jobId: 'cli-added-1', band: 'CRITICAL', deduplicated: false });
    const job = await settled('cli-added-1', JobStatus.Completed);
    expect(job.history[0]).toMatchObject({ by: 'dave' });
    expect(job.result).toMatchObject({ label: 'from-cli', doubled: 4 });

    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toMatch(/^error: UNKNOWN_JOB_TYPE: Unknown job type "test_job"/);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stdout).toBe('');
    expect(await manager.jobRepository.findByJobId('cli-unknown-1')).toBeNull();
  });

  it('exits 2 with one line naming the argument on bad JSON and bad options', async () => {
    const [badData, badCorrections, bothFilters, badPriority] = await inParallel([
      () => runCli(['add', 'test_job', '{label: oops}'], env),
      () => runCli(['dlq', 'reprocess', dead[2], '--corrections', 'not json'], env),
      () => runCli(['dlq', 'list', '--reviewed', '--unreviewed'], env),
      () => runCli(['add', 'test_job', '{}', '--priority', 'high'], env),
    ] as const);
    expect(badData.code).toBe(2);
    expect(badData.stderr.trim()).toMatch(/^error: INVALID_ARGUMENT: <json-data> is not valid JSON/);
    expect(badCorrections.code).toBe(2);
    expect(badCorrections.stderr.trim()).toMatch(/^error: INVALID_ARGUMENT: --corrections is not valid JSON/);
    expect(bothFilters.code).toBe(2);
    expect(bothFilters.stderr).toContain('--reviewed and --unreviewed exclude each other');
    expect(badPriority.code).toBe(2);
    expect(badPriority.stderr).toMatch(/--priority <n>.*must be an integer/);
    // Nothing was reprocessed by the refused call.
    expect((await manager.findDLQEntryByJobId(dead[2]))?.reprocessCount).toBe(1);
  });

  it('exits 1 with the typed error on unknown ids and on a missing MONGO_URI', async () => {
    const { MONGO_URI: _omitted, ...withoutMongo } = env;
    const [noJob, noEntry, noReview, noMongo] = await inParallel([
      () => runCli(['jobs', 'show', 'no-such-job'], env),
      () => runCli(['dlq', 'show', '0123456789abcdef01234567'], env),
      () => runCli(['dlq', 'review', 'no-such-job', '--as', 'erin'], env),
      () => runCli(['stats'], withoutMongo),
    ] as const);
    expect(noJob).toMatchObject({ code: 1, stdout: '' });
    expect(noJob.stderr.trim()).toBe('error: JOB_NOT_FOUND: No job with jobId "no-such-job"');
    expect(noEntry.code).toBe(1);
    expect(noEntry.stderr.trim()).toBe('error: DLQ_ENTRY_NOT_FOUND: No dead-letter entry with id "0123456789abcdef01234567"');
    expect(noReview.code).toBe(1);
    expect(noReview.stderr).toContain('DLQ_ENTRY_NOT_FOUND');
    expect(noMongo.code).toBe(1);
    expect(noMongo.stderr.trim()).toMatch(/^error: INVALID_CONFIG: MONGO_URI is not set/);
  });

  it('dlq reprocess exits 3 with DLQ_ALREADY_REPROCESSED when another admin\'s reprocess of the entry won', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'contested', failTimes: 5, value: 1 }, maxAttempts: 1 });
    await settled(jobId, JobStatus.Dead);
    const entry = await manager.findDLQEntryByJobId(jobId);
    const newJobId = `${jobId}:reprocess:1`;
    const now = new Date();
    // Dave's reprocess won the entry and is still adding its job.
    await queuePartsOf(manager).dlqStore.claimReprocess(
      entry!._id,
      0,
      manager.config.dlq.maxReprocessAttempts,
      { by: 'dave', at: now, corrections: { failTimes: 0 }, dataCorrections: { failTimes: 0 }, newJobId },
      { by: 'dave', at: now, outcome: 'applied', expectedCount: 0, newJobId, corrections: { failTimes: 0 } },
      now,
    );
    const refused = await runCli(['--jobs-module', TEST_JOB_MODULE, 'dlq', 'reprocess', jobId, '--corrections', '{"value":9}', '--as', 'erin'], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('error: DLQ_ALREADY_REPROCESSED:');
    expect(refused.stderr).toContain(`by dave as job ${newJobId}`);
    // Dave's job exists (with his correction, not erin's), and the audit names both.
    expect((await manager.jobRepository.findByJobId(newJobId))?.data).toMatchObject({ failTimes: 0, value: 1 });
    expect((await manager.findDLQEntryByJobId(jobId))?.reprocessAttempts?.map((a) => a.by)).toEqual(['dave', 'erin']);
  });
});
