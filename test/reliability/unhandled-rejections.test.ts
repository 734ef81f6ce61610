import { JobStatus } from '../../src/domain/job-status';
import { JobRunner } from '../../src/worker/job-runner';
import { WorkerEvents } from '../../src/worker/worker-events';
import { PrivateMongo } from '../support/private-mongo';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

/** A MongoDB error while handing back a job whose lock is held elsewhere must not end the process. */
describe('no unhandled rejection when MongoDB fails during a hand-back', () => {
  const harness = new QueueHarness('unhandled');
  const mongo = new PrivateMongo();
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', record);
    await Promise.all([harness.start(), mongo.start()]);
  });
  afterAll(async () => {
    process.off('unhandledRejection', record);
    await mongo.start();
    await harness.stop();
    await mongo.dispose();
  });

  it('a held job lock plus MongoDB down: run() resolves, nothing rejects unhandled, the job runs later', async () => {
    const manager = await harness.manager({
      name: 'handback',
      mongodb: { uri: mongo.uri, dbName: harness.dbName, serverSelectionTimeoutMs: 300 },
      worker: { lockTimeout: 1_000, heartbeatInterval: 200 },
    });
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'held' } });
    // Another holder of the job's lock (a worker whose lease just expired).
    const foreign = await manager.acquireLock(jobId, 'other-worker');
    expect(foreign).not.toBeNull();
    const [claimed] = await manager.lifecycle.take('w-1', 1);
    expect(claimed.doc.jobId).toBe(jobId);

    await mongo.stop();
    const runner = new JobRunner(manager.lifecycle, harness.logger, 'w-1', new WorkerEvents(), manager.config.worker.heartbeatInterval);
    await expect(runner.run(claimed, new AbortController().signal)).resolves.toBe('returned');

    await mongo.start();
    await manager.releaseLock(foreign!);
    // The lease expires; the sweeper returns the job and a worker runs it: nothing lost.
    await harness.worker(manager, 1);
    await waitFor(async () => (await manager.jobRepository.findByJobId(jobId))?.status === JobStatus.Completed, 'the job to complete after the outage', 20_000);
    expect(harness.runs.filter((r) => r.jobId === jobId)).toHaveLength(1);
    expect(unhandled).toEqual([]);
  });
});
