import { JobStatus } from '../../src/domain/job-status';
import type { QueueManager } from '../../src/manager/queue-manager';
import type { QueueStats } from '../../src/manager/queue-stats';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { cliEnv, inParallel, runCli, runCliJson } from './cli-process';

// Each test starts several CLI processes (tsx compiles on start): slow on a loaded machine.
jest.setTimeout(90_000);

/** Read-only commands, against jobs, DLQ entries and a worker the test created through the manager. */
describe('queue CLI: inspecting jobs, the DLQ and workers', () => {
  const harness = new QueueHarness('cli_inspect');
  let manager: QueueManager;
  let env: NodeJS.ProcessEnv;
  const ids = { done: '', doomed: '', permanent: '', holding: '', scheduled: '' };

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
    ids.done = (await manager.addJob({ type: 'test_job', data: { label: 'done', value: 21 }, priority: 7 })).jobId;
    ids.doomed = (await manager.addJob({ type: 'test_job', data: { label: 'doomed', failTimes: 10 }, priority: 17, maxAttempts: 2 })).jobId;
    ids.permanent = (await manager.addJob({ type: 'test_job', data: { label: 'perm', permanent: true }, priority: 3 })).jobId;
    ids.scheduled = (await manager.addJob({ type: 'test_job', data: { label: 'later' }, priority: 12, delay: 3_600_000 })).jobId;
    await Promise.all([settled(ids.done, JobStatus.Completed), settled(ids.doomed, JobStatus.Dead), settled(ids.permanent, JobStatus.Dead)]);
    await waitFor(() => manager.findDLQEntryByJobId(ids.permanent), 'DLQ entry of the permanent failure');
    // Still running while the CLI looks at the workers, however slowly the CLI processes start (the harness aborts it on stop).
    ids.holding = (await manager.addJob({ type: 'test_job', data: { label: 'holding', holdMs: 600_000 }, priority: 12 })).jobId;
    await settled(ids.holding, JobStatus.Processing);
    await waitFor(async () => (await manager.workerRegistry.list()).some((w) => w.currentJobs.includes(ids.holding)), 'heartbeat naming the running job');
  });
  afterAll(() => harness.stop());

  it('stats, jobs list and jobs show print what MongoDB holds', async () => {
    const [stats, dead, byType, shown] = await inParallel([
      () => runCliJson<QueueStats>(['stats'], env),
      () => runCliJson<Array<{ jobId: string; status: string }>>(['jobs', 'list', '--status', 'dead'], env),
      () => runCliJson<Array<{ jobId: string }>>(['jobs', 'list', '--type', 'test_job', '--limit', '2'], env),
      () => runCliJson<{ jobId: string; status: string; history: Array<{ to: string; by: string }>; errors: Array<{ attempt: number; code: string }> }>(['jobs', 'show', ids.doomed], env),
    ] as const);
    expect(stats).toMatchObject({ queue: 'test', completed: 1, dead: 2, failed: 2, scheduled: 1, processing: 1, total: 5 });
    expect(stats.byBand.CRITICAL.dead).toBe(1);
    expect(stats.byBand.HIGH).toMatchObject({ scheduled: 1, processing: 1 });
    expect(Object.keys(stats.oldestReadyAgeMs)).toEqual(['CRITICAL', 'HIGH', 'NORMAL', 'LOW']);
    expect(stats.batchInfo.currentBatch).not.toBeNull();

    expect(dead.map((j) => j.jobId).sort()).toEqual([ids.doomed, ids.permanent].sort());
    expect(dead.every((j) => j.status === 'dead')).toBe(true);
    expect(byType).toHaveLength(2);
    // Newest first: the holding job was added last.
    expect(byType[0].jobId).toBe(ids.holding);

    expect(shown).toMatchObject({ jobId: ids.doomed, status: 'dead' });
    expect(shown.errors.map((e) => [e.attempt, e.code])).toEqual([
      [1, 'TEST_FAILURE'],
      [2, 'TEST_FAILURE'],
    ]);
    expect(shown.history.map((h) => h.to)).toEqual(expect.arrayContaining(['pending', 'processing', 'dead']));
  });

  it('dlq list, show and stats print the dead-letter entries of failing jobs', async () => {
    const [all, critical, unreviewed, stats, byJobId] = await inParallel([
      () => runCliJson<Array<{ _id: string; jobId: string }>>(['dlq', 'list'], env),
      () => runCliJson<Array<{ jobId: string; severity: string }>>(['dlq', 'list', '--severity', 'critical'], env),
      () => runCliJson<unknown[]>(['dlq', 'list', '--unreviewed', '--type', 'test_job'], env),
      () => runCliJson<Record<string, unknown>>(['dlq', 'stats'], env),
      () => runCliJson<{ _id: string; jobId: string; failureReason: string; errors: unknown[] }>(['dlq', 'show', ids.permanent], env),
    ] as const);
    expect(all.map((e) => e.jobId).sort()).toEqual([ids.doomed, ids.permanent].sort());
    expect(critical).toEqual([expect.objectContaining({ jobId: ids.doomed, severity: 'critical' })]);
    expect(unreviewed).toHaveLength(2);
    expect(stats).toMatchObject({
      totalEntries: 2,
      unreviewed: 2,
      bySeverity: { critical: 1, low: 1 },
      byFailureReason: { handler_error: 1, permanent_error: 1 },
      byJobType: { test_job: 2 },
    });
    expect(byJobId).toMatchObject({ jobId: ids.permanent, failureReason: 'permanent_error' });
    expect(byJobId.errors).toHaveLength(1);

    // The same entry by its id, as a person would read it.
    const text = await runCli(['dlq', 'show', byJobId._id], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Dead-letter entry ${byJobId._id}`);
    expect(text.stdout).toContain('permanent failure of perm');
    expect(text.stdout).not.toMatch(/\x1b\[/);
  });

  it('workers lists the live worker with the job it is running', async () => {
    const workers = await runCliJson<Array<{ workerId: string; currentJobs: string[]; jobs: Array<{ jobId: string; type: string; status: string }> }>>(['workers'], env);
    expect(workers).toHaveLength(1);
    expect(workers[0].workerId).toBe(harness.workers[0].workerId);
    expect(workers[0].jobs).toEqual([expect.objectContaining({ jobId: ids.holding, type: 'test_job', status: 'processing' })]);
  });

  it('monitor --once prints one frame (and one JSON snapshot with --json) and exits', async () => {
    const [frame, snapshot] = await inParallel([
      () => runCli(['monitor', '--once'], env),
      () => runCliJson<{ stats: QueueStats; dlq: { totalEntries: number }; workers: unknown[]; rates: { completedPerSecond: number | null } }>(['monitor', '--once'], env),
    ] as const);
    expect(frame.code).toBe(0);
    expect(frame.stdout).toMatch(/^queue test /);
    expect(frame.stdout).toMatch(/^CRITICAL /m);
    expect(frame.stdout).toMatch(/DLQ +2 entries, 2 unreviewed/);
    expect(frame.stdout).toContain('Workers (1)');
    expect(frame.stdout).toContain(`${ids.holding} (test_job)`);
    expect(snapshot.stats.completed).toBe(1);
    expect(snapshot.dlq.totalEntries).toBe(2);
    expect(snapshot.workers).toHaveLength(1);
    expect(snapshot.rates.completedPerSecond).toBeNull();
  });
});
