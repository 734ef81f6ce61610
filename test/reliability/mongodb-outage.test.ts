import { JobStatus } from '../../src/domain/job-status';
import { QueueError } from '../../src/errors';
import { harnessWithPrivateMongo } from '../support/private-mongo-world';
import { waitFor } from '../support/wait-for';

/** MongoDB down: adds fail fast with a typed error; workers ride out the outage and resume. */
describe('MongoDB unreachable', () => {
  const { harness, mongo } = harnessWithPrivateMongo('mongo_outage');

  async function expectStorageUnavailable(add: () => Promise<unknown>, boundMs: number): Promise<void> {
    const started = Date.now();
    const error = await add().then(
      () => null,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(QueueError);
    expect((error as QueueError).code).toBe('STORAGE_UNAVAILABLE');
    expect((error as QueueError).message).toMatch(/mongodb\.uri/);
    // The configured bound, plus scheduling slack on a loaded machine.
    expect(elapsed).toBeLessThan(boundMs + 1_500);
  }

  it('addJob and addJobs reject within mongodb.storageTimeoutMs with STORAGE_UNAVAILABLE; the worker resumes', async () => {
    const manager = await harness.manager({
      name: 'outage',
      // Server selection alone would wait 30 s: the storage bound must cut it short.
      mongodb: { uri: mongo.uri, dbName: harness.dbName, serverSelectionTimeoutMs: 30_000, storageTimeoutMs: 800 },
    });
    const worker = await harness.worker(manager, 2);
    const before = await manager.addJob({ type: 'test_job', data: { label: 'before' } });
    await waitFor(async () => (await manager.jobRepository.findByJobId(before.jobId))?.status === JobStatus.Completed, 'the first job');

    await mongo.stop();
    // The first add after the outage (fails fast on the dead connection) and later ones (would wait for server selection).
    await expectStorageUnavailable(() => manager.addJob({ type: 'test_job', data: { label: 'during1' } }), 800);
    await expectStorageUnavailable(() => manager.addJob({ type: 'test_job', data: { label: 'during2' } }), 800);
    await expectStorageUnavailable(() => manager.addJobs([{ type: 'test_job', data: { label: 'during3' } }, { type: 'test_job', data: { label: 'during4' } }]), 800);
    expect(worker.getStats().isRunning).toBe(true);

    await mongo.start();
    // The caller retries with a jobId: safe whether or not a timed-out attempt reached MongoDB.
    const after = await waitFor(
      () => manager.addJob({ type: 'test_job', data: { label: 'after' }, jobId: 'after-outage' }).catch(() => null),
      'an add to succeed after MongoDB returns',
      45_000,
    );
    await waitFor(async () => (await manager.jobRepository.findByJobId(after.jobId))?.status === JobStatus.Completed, 'the worker to resume', 30_000);
    expect(harness.runs.filter((r) => r.label === 'after')).toHaveLength(1);
  }, 90_000);
});
