import { DlqReprocessOutcome } from '../../src/domain/dlq-record';
import { DlqAlreadyReprocessedError } from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import type { DlqEntry } from '../../src/storage/dlq-repository';
import { QueueHarness } from '../support/queue-harness';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('reprocessing one DLQ entry from several admins at once', () => {
  const harness = new QueueHarness('dlq_concurrent_reprocess');
  let manager: QueueManager;
  let serial = 0;

  beforeAll(async () => {
    await harness.start();
    // No worker: new jobs stay pending, so every job a reprocess added is still there to count.
    manager = await harness.manager({ name: 'cas', dlq: { maxReprocessAttempts: 3 } });
  });
  afterAll(() => harness.stop());

  async function deadEntry(): Promise<DlqEntry> {
    serial += 1;
    const { jobId } = await manager.addJob({ type: 'test_job', jobId: `cas-${serial}`, data: { label: 'broken', value: 0 } });
    const moved = await manager.moveToDLQ(jobId, 'bad value');
    const entry = await manager.dlqRepository.findById(String(moved._id));
    if (!entry) throw new Error(`no DLQ entry for ${jobId}`);
    return entry;
  }

  const jobsFrom = (jobId: string) => queuePartsOf(manager).store.collection.find({ reprocessOf: jobId }).toArray();

  it.each([2, 5])('lets exactly one of %i concurrent calls win; the others get DLQ_ALREADY_REPROCESSED naming its job', async (callers) => {
    const entry = await deadEntry();
    const admins = Array.from({ length: callers }, (_, i) => `admin-${i}`);
    const settled = await Promise.allSettled(admins.map((admin, i) => manager.reprocessDLQEntry(entry.id, admin, { value: i + 1 })));

    const won = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const lost = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(callers - 1);
    const winner = won[0];
    expect(winner.newJobId).toBe(`${entry.jobId}:reprocess:1`);
    const winnerAdmin = admins[settled.findIndex((s) => s.status === 'fulfilled')];
    for (const error of lost) {
      expect(error).toBeInstanceOf(DlqAlreadyReprocessedError);
      const refused = error as DlqAlreadyReprocessedError;
      expect(refused.code).toBe('DLQ_ALREADY_REPROCESSED');
      expect(refused.message).toContain(winner.newJobId);
      expect(refused.details).toMatchObject({ entryId: entry.id, existingJobId: winner.newJobId, reprocessedBy: winnerAdmin });
    }

    // One new job, carrying the winner's correction and nobody else's.
    const added = await jobsFrom(entry.jobId);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ jobId: winner.newJobId, data: winner.dataAfter as object });
    expect(winner.dataAfter).toMatchObject({ value: admins.indexOf(winnerAdmin) + 1 });

    // The audit names every admin who tried, and which call won.
    const stored = await manager.findDLQEntryByJobId(entry.jobId);
    expect(stored).toMatchObject({ reprocessCount: 1, reprocessPending: null });
    expect(stored?.reprocessHistory).toEqual([expect.objectContaining({ by: winnerAdmin, newJobId: winner.newJobId })]);
    const attempts = stored?.reprocessAttempts ?? [];
    expect(attempts.map((a) => a.by).sort()).toEqual([...admins].sort());
    expect(attempts.filter((a) => a.outcome === DlqReprocessOutcome.Applied).map((a) => a.by)).toEqual([winnerAdmin]);
    expect(attempts.every((a) => a.newJobId === winner.newJobId)).toBe(true);
  });

  it('still reprocesses sequentially up to dlq.maxReprocessAttempts', async () => {
    const entry = await deadEntry();
    const first = await manager.reprocessDLQEntry(entry.id, 'alice', { value: 1 });
    const second = await manager.reprocessDLQEntry(entry.id, 'bob', { value: 2 });
    expect([first.newJobId, second.newJobId]).toEqual([`${entry.jobId}:reprocess:1`, `${entry.jobId}:reprocess:2`]);
    expect(second.entry.reprocessCount).toBe(2);
    expect((await jobsFrom(entry.jobId)).map((j) => j.data)).toEqual(expect.arrayContaining([expect.objectContaining({ value: 1 }), expect.objectContaining({ value: 2 })]));
  });

  it('finishes a reprocess whose caller crashed between winning and adding the job, without doubling it', async () => {
    const entry = await deadEntry();
    const newJobId = `${entry.jobId}:reprocess:1`;
    const now = new Date();
    // Alice's call won the compare-and-set, then her process died before adding the job.
    const claimed = await queuePartsOf(manager).dlqStore.claimReprocess(
      entry._id,
      0,
      3,
      { by: 'alice', at: now, corrections: { value: 7 }, dataCorrections: { value: 7 }, newJobId },
      { by: 'alice', at: now, outcome: DlqReprocessOutcome.Applied, expectedCount: 0, newJobId, corrections: { value: 7 } },
      now,
    );
    expect(claimed?.reprocessPending).toBe(newJobId);
    expect(await manager.jobRepository.findByJobId(newJobId)).toBeNull();

    // Her retry (or anyone's call) adds that job with her corrections, and reports it as the one that exists.
    await expect(manager.reprocessDLQEntry(entry.id, 'alice', { value: 7 })).rejects.toMatchObject({ code: 'DLQ_ALREADY_REPROCESSED', details: { existingJobId: newJobId, reprocessedBy: 'alice' } });
    expect(await manager.jobRepository.findByJobId(newJobId)).toMatchObject({ data: { label: 'broken', value: 7 } });
    expect(await manager.findDLQEntryByJobId(entry.jobId)).toMatchObject({ reprocessCount: 1, reprocessPending: null });

    // The entry is usable again: the next reprocess is the second one.
    const next = await manager.reprocessDLQEntry(entry.id, 'bob', { value: 8 });
    expect(next.newJobId).toBe(`${entry.jobId}:reprocess:2`);
    expect(await jobsFrom(entry.jobId)).toHaveLength(2);
  });
});
