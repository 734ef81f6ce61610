import { ALICE_TOKEN, BOB_TOKEN, bearer, jobReaches, startHttpWorld, type HttpWorld } from './http-test-kit';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

interface ReprocessAnswer {
  newJobId?: string;
  dataAfter?: { value?: number };
  error?: string;
  message?: string;
  details?: { existingJobId?: string; reprocessedBy?: string };
}

describe('HTTP admin API: concurrent reprocess of one DLQ entry', () => {
  let world: HttpWorld;
  beforeAll(async () => {
    world = await startHttpWorld('http_dlq_concurrent');
  });
  afterAll(async () => {
    await world.stop();
  });

  const post = (url: string, payload: object, token: string) => world.server.app.inject({ method: 'POST', url, headers: bearer(token), payload });

  it.each([2, 5])('answers exactly one of %i concurrent requests with the new job, the others 409 naming it', async (callers) => {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: `contested-${callers}`, failTimes: 9 }, maxAttempts: 1 });
    await jobReaches(world.manager, jobId, 'dead');
    const tokens = Array.from({ length: callers }, (_, i) => (i % 2 === 0 ? ALICE_TOKEN : BOB_TOKEN));
    const answers = await Promise.all(tokens.map((token, i) => post(`/admin/dlq/${jobId}/reprocess`, { corrections: { failTimes: 0, value: i + 1 } }, token)));

    const ok = answers.filter((a) => a.statusCode === 200);
    const conflicts = answers.filter((a) => a.statusCode === 409);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(callers - 1);
    const winner = ok[0].json<ReprocessAnswer>();
    expect(winner.newJobId).toBe(`${jobId}:reprocess:1`);
    for (const conflict of conflicts) {
      const body = conflict.json<ReprocessAnswer>();
      expect(body.error).toBe('DLQ_ALREADY_REPROCESSED');
      expect(body.message).toContain(winner.newJobId);
      expect(body.details?.existingJobId).toBe(winner.newJobId);
    }

    // One job, with the winner's correction; it runs to completion.
    const added = await queuePartsOf(world.manager).store.collection.find({ reprocessOf: jobId }).toArray();
    expect(added.map((j) => j.jobId)).toEqual([winner.newJobId]);
    const copy = await jobReaches(world.manager, winner.newJobId!, 'completed');
    expect(copy.data).toMatchObject({ value: winner.dataAfter?.value });

    const entry = await world.manager.findDLQEntryByJobId(jobId);
    expect(entry?.reprocessCount).toBe(1);
    const actors = (entry?.reprocessAttempts ?? []).map((a) => a.by);
    expect(actors).toHaveLength(callers);
    expect(new Set(actors)).toEqual(new Set(['alice', 'bob']));
  });
});
