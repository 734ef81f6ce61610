import { JobStatus } from '../../src/domain/job-status';
import type { QueueManager } from '../../src/manager/queue-manager';
import { MaintenanceLoop } from '../../src/scheduler/maintenance-loop';
import { DLQ_INDEX } from '../../src/storage/dlq-model';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Waits until the job is dead and its DLQ entry is written. */
function deadLettered(manager: QueueManager, jobId: string) {
  return waitFor(async () => {
    const doc = await manager.jobRepository.findByJobId(jobId);
    return doc?.status === JobStatus.Dead && !doc.dlqPending ? doc : null;
  }, `job ${jobId} to be dead-lettered`);
}

/** What `cleanup` does to a dead job a week later: the job document goes, its DLQ entry stays. */
async function cleanUpDeadJob(manager: QueueManager, jobId: string): Promise<void> {
  const jobs = queuePartsOf(manager).store.collection;
  await jobs.updateOne({ jobId }, { $set: { failedAt: new Date(Date.now() - 8 * DAY_MS) } });
  const removed = await jobs.deleteMany({ queue: manager.config.name, status: JobStatus.Dead, failedAt: { $lt: new Date(Date.now() - 7 * DAY_MS) }, dlqPending: { $ne: true } });
  expect(removed.deletedCount).toBe(1);
}

describe('DLQ entries are keyed by failure occurrence, not by jobId', () => {
  const harness = new QueueHarness('dlq_occurrence');
  let manager: QueueManager;

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager({ name: 'occurrences', dlq: { maxReprocessAttempts: 3 } });
    await harness.worker(manager, 2);
  });
  afterAll(() => harness.stop());

  it('gives a reused jobId that fails again its own entry; the jobId names the newest, both are listable', async () => {
    const jobId = 'invoice-reused-1';
    await manager.addJob({ type: 'test_job', jobId, data: { label: 'first', failTimes: 9 }, maxAttempts: 1 });
    await deadLettered(manager, jobId);
    const first = await manager.findDLQEntryByJobId(jobId);
    expect(first?.data).toMatchObject({ label: 'first' });
    const firstReprocess = await manager.reprocessDLQEntry(first!.id, 'alice');
    expect(firstReprocess.newJobId).toBe(`${jobId}:reprocess:1`);

    await cleanUpDeadJob(manager, jobId);
    await manager.addJob({ type: 'test_job', jobId, data: { label: 'second', failTimes: 9, value: 2 }, maxAttempts: 1 });
    await deadLettered(manager, jobId);

    const newest = await manager.findDLQEntryByJobId(jobId);
    expect(newest?.id).not.toBe(first!.id);
    expect(newest).toMatchObject({ data: { label: 'second', value: 2 }, reprocessCount: 0, reprocessHistory: [], occurrence: 2 });
    expect(newest?.lastError?.message).toContain('second');

    const all = await manager.dlqRepository.list({ jobId });
    expect(all.map((e) => e.id)).toEqual([newest!.id, first!.id]);
    expect(all[1]).toMatchObject({ data: { label: 'first' }, reprocessCount: 1, occurrence: 1 });
    expect(all[1].lastError?.message).toContain('first');

    // The new entry's reprocess gets its own job, not the first entry's `:reprocess:1`.
    const second = await manager.reprocessDLQEntry(newest!.id, 'bob', { failTimes: 0 });
    expect(second.newJobId).toBe(`${jobId}#2:reprocess:1`);
    const copy = await waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(second.newJobId);
      return doc?.status === JobStatus.Completed ? doc : null;
    }, 'the second entry\'s reprocessed job to complete');
    expect(copy.data).toMatchObject({ label: 'second', value: 2, failTimes: 0 });
    expect(await manager.dlqRepository.list({ jobId: `${jobId}:reprocess:1` })).toHaveLength(1);
  });
});

describe('moving to the DLQ stays idempotent and resumable per occurrence', () => {
  const harness = new QueueHarness('dlq_occurrence_repair');
  let manager: QueueManager;

  beforeAll(async () => {
    await harness.start();
    // No worker: this file drives the sweep itself.
    manager = await harness.manager({ name: 'repair' });
  });
  afterAll(() => harness.stop());

  it('repairs a crash between marking the job dead and writing its entry with exactly one entry', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'crashed' }, delay: 60_000 });
    const { store, dlqStore } = queuePartsOf(manager);
    // The first of the two writes, as a process that died right after it would leave it.
    const moved = await store.markDead(jobId, [JobStatus.Scheduled], 'admin', 'moved by hand', new Date());
    expect(moved.ok).toBe(true);
    expect(await dlqStore.collection.countDocuments({ jobId })).toBe(0);
    await store.collection.updateOne({ jobId }, { $set: { failedAt: new Date(Date.now() - 60_000) } });

    const sweeper = new MaintenanceLoop(queuePartsOf(manager), harness.logger);
    const [a, b] = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
    expect(a.repaired + b.repaired).toBeGreaterThanOrEqual(1);
    expect((await sweeper.sweep()).repaired).toBe(0);

    const job = await manager.jobRepository.findByJobId(jobId);
    expect(job?.dlqPending).toBeUndefined();
    expect(job?.deadLetterSeq).toBe(1);
    // Repeating the second write, or moving again by hand, finds the same entry.
    await manager.lifecycle.recordDeadLetter(job!, 'again');
    const again = await manager.moveToDLQ(jobId, 'once more');
    const entries = await dlqStore.collection.find({ jobId }).toArray();
    expect(entries).toHaveLength(1);
    expect(String(again._id)).toBe(entries[0]._id.toHexString());
    expect(entries[0]).toMatchObject({ jobRef: job!._id, deadLetterSeq: 1, reasonText: 'moved by hand', occurrence: 1 });
  });

  it('replaces the unique jobId index of an older database at start, keeping its entries', async () => {
    const dlq = queuePartsOf(manager).dlqStore.collection;
    await dlq.dropIndex(DLQ_INDEX.occurrence);
    await dlq.dropIndex(DLQ_INDEX.jobIdNewest);
    await dlq.createIndex({ jobId: 1 }, { unique: true, name: 'jobId_unique' });
    // Entries as older versions wrote them: no jobRef, no sequence.
    const legacy = { queue: 'repair', type: 'test_job', data: { label: 'old' }, severity: 'medium', failureReason: 'manual', reasonText: 'old', movedAt: new Date(Date.now() - DAY_MS), reprocessHistory: [], reprocessCount: 0, review: null, errors: [], history: [] };
    await dlq.insertMany([{ ...legacy, jobId: 'legacy-a' }, { ...legacy, jobId: 'legacy-b' }] as never);

    const upgraded = await harness.manager({ name: 'repair' });
    const names = (await dlq.listIndexes().toArray()).map((index) => String(index.name));
    expect(names).not.toContain('jobId_unique');
    expect(names).toEqual(expect.arrayContaining([DLQ_INDEX.occurrence, DLQ_INDEX.jobIdNewest]));

    // A legacy entry's jobId reused and failing again: a second entry beside the old one.
    await upgraded.addJob({ type: 'test_job', jobId: 'legacy-a', data: { label: 'new' } });
    const entry = await upgraded.moveToDLQ('legacy-a', 'failed again');
    expect(entry).toMatchObject({ data: { label: 'new' }, occurrence: 2 });
    expect((await upgraded.findDLQEntryByJobId('legacy-a'))?.id).toBe(String(entry._id));
    expect((await upgraded.dlqRepository.list({ jobId: 'legacy-a' })).map((e) => e.data)).toEqual([{ label: 'new', failTimes: 0, permanent: false, holdMs: 0, ignoreSignal: false }, { label: 'old' }]);
    expect(await upgraded.dlqRepository.findByJobId('legacy-b')).toMatchObject({ data: { label: 'old' } });
  });

  it('finds the entry an older version wrote for a job that died before the upgrade, instead of adding one', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'died-before' }, delay: 60_000 });
    const { store, dlqStore } = queuePartsOf(manager);
    expect((await store.markDead(jobId, [JobStatus.Scheduled], 'admin', 'old move', new Date())).ok).toBe(true);
    // As an older version left it: no sequence on the job, an entry keyed by jobId alone.
    await store.collection.updateOne({ jobId }, { $unset: { deadLetterSeq: '' } });
    const legacy = { jobId, queue: 'repair', type: 'test_job', data: { label: 'died-before' }, severity: 'medium', failureReason: 'manual', reasonText: 'old move', movedAt: new Date(), reprocessHistory: [], reprocessCount: 0, review: null, errors: [], history: [] };
    const { insertedId } = await dlqStore.collection.insertOne(legacy as never);

    const entry = await manager.moveToDLQ(jobId, 'moved again');
    expect(String(entry._id)).toBe(insertedId.toHexString());
    expect(await dlqStore.collection.countDocuments({ jobId })).toBe(1);
    expect((await manager.jobRepository.findByJobId(jobId))?.dlqPending).toBeUndefined();
  });
});
