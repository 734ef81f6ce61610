import type { ChildProcess } from 'node:child_process';
import type { CommandStartedEvent } from 'mongodb';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import { silentLogger } from '../../src/logging/logger';
import type { QueueManager } from '../../src/manager/queue-manager';
import { MaintenanceLoop } from '../../src/scheduler/maintenance-loop';
import { QueueHarness } from '../support/queue-harness';
import { testMongoUri } from '../support/mongo';
import { spawnCrashWorker } from '../support/crash-worker-process';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';


/**
 * Sweeps until `done` holds. Workers of other tests in this file sweep the same collection, so
 * the sweep that moves a job may be theirs: wait on the job's state, not on this sweep's counts.
 */
async function sweptUntil<T>(manager: QueueManager, done: () => Promise<T | null>, what: string): Promise<T> {
  const sweeper = new MaintenanceLoop(queuePartsOf(manager), silentLogger());
  return waitFor(async () => {
    await sweeper.sweep();
    return done();
  }, what, 15_000);
}

/** An attempt counts when its handler starts; a claim that never started gives it back. */
describe('attempt counting', () => {
  const harness = new QueueHarness('attempts');
  let child: ChildProcess | undefined;
  beforeAll(() => harness.start());
  afterAll(async () => {
    child?.kill('SIGKILL');
    await harness.stop();
  });

  it('a claim whose reply was lost does not spend the only attempt: the job runs once and completes', async () => {
    const manager = await harness.manager({ name: 'lost-claim', worker: { lockTimeout: 300, heartbeatInterval: 100 } });
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'lost-claim' }, maxAttempts: 1 });
    // The claim reaches MongoDB; the worker that made it vanishes before starting the handler.
    const [claimed] = await manager.lifecycle.take('vanished-worker', 1);
    expect(claimed.doc).toMatchObject({ jobId, attempts: 1 });

    const returned = await sweptUntil(manager, async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.status !== JobStatus.Processing ? d : null;
    }, 'the lease to expire and the sweeper to take the job');
    // Ready again (pending, or batched once the sweep's reload put it into Redis) with its attempt given back.
    expect(returned).toMatchObject({ attempts: 0, lockedBy: null });
    expect([JobStatus.Pending, JobStatus.Batched]).toContain(returned?.status);
    expect(returned?.history.filter((h) => h.from === 'processing')).toEqual([
      expect.objectContaining({ to: 'pending', by: 'sweeper', reason: 'claimed, not started: lease expired, attempt given back' }),
    ]);

    await harness.worker(manager, 1);
    const done = await waitFor(async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.status === JobStatus.Completed ? d : null;
    }, 'the job to complete', 10_000);
    expect(harness.runs.filter((r) => r.jobId === jobId).map((r) => r.attempt)).toEqual([1]);
    expect(done.attempts).toBe(1);
    expect(done.history.at(-1)).toMatchObject({ to: 'completed', reason: 'attempt 1 completed' });
    expect(done.history.some((h) => h.to === JobStatus.Dead)).toBe(false);
    expect(await manager.findDLQEntryByJobId(jobId)).toBeNull();
  });

  it('gives back every attempt of a multi-job claim that never started, and dead-letters none', async () => {
    const manager = await harness.manager({ name: 'lost-batch', worker: { lockTimeout: 300, heartbeatInterval: 100 } });
    const added = await manager.addJobs(Array.from({ length: 4 }, (_, i) => ({ type: 'test_job', data: { label: `b${i}` }, maxAttempts: 1 })));
    const claimed = await manager.lifecycle.take('vanished-worker', 4);
    expect(claimed).toHaveLength(4);
    await sweptUntil(
      manager,
      async () => {
        const docs = await Promise.all(added.map(({ jobId }) => manager.jobRepository.findByJobId(jobId)));
        return docs.every((d) => d?.status !== JobStatus.Processing) ? true : null;
      },
      'the sweeper to return all four',
    );
    for (const { jobId } of added) {
      const doc = await manager.jobRepository.findByJobId(jobId);
      expect(doc?.attempts).toBe(0);
      expect([JobStatus.Pending, JobStatus.Batched]).toContain(doc?.status);
    }
    expect((await manager.getDLQStats()).totalEntries).toBe(0);
  });

  it('counts the attempt of a handler that started before its lease expired: on the last attempt it is dead-lettered', async () => {
    const manager = await harness.manager({ name: 'started-stall', worker: { lockTimeout: 300, heartbeatInterval: 100 } });
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'started' }, maxAttempts: 1 });
    const [claimed] = await manager.lifecycle.take('hung-worker', 1);
    expect(await manager.lifecycle.markStarted(claimed)).toBe(true);
    const dead = await sweptUntil(manager, async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.status !== JobStatus.Processing ? d : null;
    }, 'the sweeper to dead-letter the job');
    expect(dead).toMatchObject({ status: JobStatus.Dead, attempts: 1 });
    expect(dead?.history.at(-1)?.reason).toMatch(/lease expired on its last attempt after the handler started \(1\/1/);
    // The entry is the second write of the move (another test's sweeper may be the one making it).
    await waitFor(() => manager.findDLQEntryByJobId(jobId), 'the DLQ entry of the dead-lettered job');
  });

  it('a worker killed with SIGKILL after its handler started spends that attempt', async () => {
    const manager = await harness.manager({ name: 'crash', worker: { lockTimeout: 1_000, heartbeatInterval: 200 } });
    // Known here so it can be added; the child process runs it.
    manager.registerJob(defineJob({ type: 'crash_job', schema: z.object({}).passthrough(), handle: async () => ({}) }));
    const { jobId } = await manager.addJob({ type: 'crash_job', data: {}, maxAttempts: 1 });
    child = spawnCrashWorker(harness, 'crash');
    const markers = queuePartsOf(manager).connection.collection('markers');
    await waitFor(() => markers.findOne({ jobId }), 'the child to start the handler', 20_000);
    const running = await manager.jobRepository.findByJobId(jobId);
    expect(running).toMatchObject({ status: JobStatus.Processing, attempts: 1 });
    expect(running?.runStartedAt).toBeInstanceOf(Date);

    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const dead = await sweptUntil(manager, async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.status !== JobStatus.Processing ? d : null;
    }, 'the sweeper to dead-letter the crashed job');
    expect(dead).toMatchObject({ status: JobStatus.Dead, attempts: 1 });
    expect((await manager.findDLQEntryByJobId(jobId))?.failureReason).toBeDefined();
  }, 60_000);

  it('hands back a claim whose job lock is held elsewhere without spending an attempt, and says so', async () => {
    const manager = await harness.manager({ name: 'lock-held' });
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'locked' }, maxAttempts: 1 });
    const lock = await manager.acquireLock(jobId, 'someone-else');
    expect(lock).not.toBeNull();
    const worker = await harness.worker(manager, 1);
    const returned = await waitFor(async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.history.some((h) => h.reason === 'claimed, not started: job lock held by another worker') ? d : null;
    }, 'the worker to hand the job back', 10_000);
    expect(returned.errors).toEqual([]);
    // The worker keeps taking it and handing it back while the lock is held; once it stops, nothing was spent.
    await worker.stop(1_000);
    const after = await manager.jobRepository.findByJobId(jobId);
    expect(after).toMatchObject({ attempts: 0, lockedBy: null });
    expect([JobStatus.Pending, JobStatus.Batched]).toContain(after?.status);
    expect(harness.runs.some((r) => r.jobId === jobId)).toBe(false);
    await manager.releaseLock(lock!);
  });

  it('numbers the attempts of real runs in errors[] and history', async () => {
    const manager = await harness.manager({ name: 'numbered' });
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'numbered', failTimes: 2 }, maxAttempts: 3 });
    await harness.worker(manager, 1);
    const done = await waitFor(async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.status === JobStatus.Completed ? d : null;
    }, 'the job to complete on its third attempt', 10_000);
    expect(done.attempts).toBe(3);
    expect(done.errors.map((e) => e.attempt)).toEqual([1, 2]);
    const reasons = done.history.map((h) => h.reason ?? '');
    expect(reasons.filter((r) => /^attempt \d+ failed/.test(r)).map((r) => r.split(' ')[1])).toEqual(['1', '2']);
    expect(done.history.at(-1)?.reason).toBe('attempt 3 completed');
  });

  it('marks the start of a claim of several jobs in one MongoDB command', async () => {
    const manager = await harness.manager({ name: 'start-writes', mongodb: { uri: testMongoUri(), dbName: harness.dbName, monitorCommands: true } });
    await manager.addJobs(Array.from({ length: 5 }, (_, i) => ({ type: 'test_job', data: { label: `s${i}` } })));
    const claimed = await manager.lifecycle.take('counting-worker', 5);
    expect(claimed).toHaveLength(5);
    const commands: string[] = [];
    const client = queuePartsOf(manager).connection.getClient();
    const listen = (event: CommandStartedEvent) => commands.push(event.commandName);
    client.on('commandStarted', listen);
    try {
      expect(await Promise.all(claimed.map((job) => manager.lifecycle.markStarted(job)))).toEqual([true, true, true, true, true]);
    } finally {
      client.off('commandStarted', listen);
    }
    expect(commands).toEqual(['update']);
  });
});
