import { BOB_TOKEN, bearer, jobReaches, startHttpWorld, type HttpWorld } from './http-test-kit';

interface DlqItem {
  _id: string;
  jobId: string;
  severity: string;
  review: { by: string; note?: string } | null;
}

describe('HTTP admin API: the dead-letter queue', () => {
  let world: HttpWorld;
  beforeAll(async () => {
    world = await startHttpWorld('http_dlq');
  });
  afterAll(async () => {
    await world.stop();
  });

  const get = (url: string, token?: string) => world.server.app.inject({ method: 'GET', url, headers: bearer(token) });
  const post = (url: string, payload?: object, token?: string) => world.server.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });
  async function deadJob(label: string, priority: number, data: Record<string, unknown> = { failTimes: 9 }): Promise<string> {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label, ...data }, maxAttempts: 1, priority });
    await jobReaches(world.manager, jobId, 'dead');
    return jobId;
  }

  it('lists, filters, shows and counts entries', async () => {
    const critical = await deadJob('broken-critical', 18);
    const low = await deadJob('broken-low', 2, { permanent: true });

    const list = await get('/admin/dlq?severity=critical&reviewed=false&type=test_job');
    expect(list.statusCode).toBe(200);
    expect((list.json().items as DlqItem[]).map((e) => e.jobId)).toEqual([critical]);
    expect((await get('/admin/dlq?severity=low')).json().items.map((e: DlqItem) => e.jobId)).toEqual([low]);
    expect((await get('/admin/dlq?reason=handler_error')).json().items.map((e: DlqItem) => e.jobId)).toContain(critical);
    expect((await get('/admin/dlq?limit=1&skip=1')).json().items).toHaveLength(1);

    const entry = (list.json().items as DlqItem[])[0];
    const byId = await get(`/admin/dlq/${entry._id}`);
    expect(byId.json()).toMatchObject({ jobId: critical, failureReason: 'handler_error', severity: 'critical', errors: [expect.objectContaining({ code: 'TEST_FAILURE' })] });
    expect((await get(`/admin/dlq/${critical}`)).json()).toMatchObject({ _id: entry._id });
    const missing = await get('/admin/dlq/000000000000000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'DLQ_ENTRY_NOT_FOUND' });

    const stats = await get('/admin/dlq/stats');
    expect(stats.json()).toMatchObject({ totalEntries: 2, bySeverity: { critical: 1, low: 1 } });
  });

  it('marks an entry reviewed by the token holder, with a note', async () => {
    const jobId = await deadJob('to-review', 12);
    const reviewed = await post(`/admin/dlq/${jobId}/review`, { note: 'bad input from partner' }, BOB_TOKEN);
    expect(reviewed.statusCode).toBe(200);
    expect(reviewed.json().review).toMatchObject({ by: 'bob', note: 'bad input from partner' });
    expect((await get('/admin/dlq?reviewed=true')).json().items.map((e: DlqItem) => e.jobId)).toEqual([jobId]);
    expect((await post('/admin/dlq/no-such-entry/review', { note: 'x' })).statusCode).toBe(404);
  });

  it('reprocesses an entry with corrections, showing data before and after, up to the limit', async () => {
    const jobId = await deadJob('fixable', 17, { failTimes: 9, value: 2 });
    const entry = await world.manager.findDLQEntryByJobId(jobId);
    const reprocessed = await post(`/admin/dlq/${String(entry?._id)}/reprocess`, { corrections: { failTimes: 0 } });
    expect(reprocessed.statusCode).toBe(200);
    expect(reprocessed.json()).toMatchObject({ dataBefore: { failTimes: 9, value: 2 }, dataAfter: { failTimes: 0, value: 2 }, reprocessCount: 1, newJobId: `${jobId}:reprocess:1` });
    const fixed = await jobReaches(world.manager, reprocessed.json().newJobId, 'completed');
    expect(fixed.history[0]).toMatchObject({ by: 'alice' });
    expect((await world.manager.findDLQEntryByJobId(jobId))?.reprocessHistory[0]).toMatchObject({ by: 'alice', corrections: { failTimes: 0 } });

    const invalid = await post(`/admin/dlq/${jobId}/reprocess`, { corrections: { failTimes: 'never' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: 'INVALID_JOB_DATA' });

    // dlq.maxReprocessAttempts is 3 by default.
    for (let n = 2; n <= 3; n += 1) expect((await post(`/admin/dlq/${jobId}/reprocess`)).json()).toMatchObject({ reprocessCount: n });
    const refused = await post(`/admin/dlq/${jobId}/reprocess`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: 'REPROCESS_LIMIT_REACHED' });
    expect((await post('/admin/dlq/no-such-entry/reprocess')).statusCode).toBe(404);
  });

  it('reprocesses in bulk by filter: a dry run shows the plan and changes nothing, then it runs', async () => {
    const first = await deadJob('bulk-1', 6);
    const second = await deadJob('bulk-2', 7);
    const exhausted = await deadJob('bulk-3', 8);
    const exhaustedEntry = String((await world.manager.findDLQEntryByJobId(exhausted))?._id);
    for (let n = 0; n < 3; n += 1) await world.manager.reprocessDLQEntry(exhaustedEntry, 'setup', { failTimes: 0 });

    const dry = await post('/admin/dlq/reprocess', { severity: 'medium', limit: 10, dryRun: true, corrections: { failTimes: 0 } });
    expect(dry.statusCode).toBe(200);
    const plan = dry.json().plan as Array<{ jobId: string; action: string; why?: string; dataAfter?: unknown }>;
    expect(dry.json()).toMatchObject({ dryRun: true, matched: 3 });
    expect(plan.find((p) => p.jobId === first)).toMatchObject({ action: 'reprocess', newJobId: `${first}:reprocess:1`, dataBefore: { failTimes: 9 }, dataAfter: { failTimes: 0 } });
    expect(plan.find((p) => p.jobId === exhausted)).toMatchObject({ action: 'skip', why: expect.stringContaining('limit 3') });
    expect((await world.manager.findDLQEntryByJobId(first))?.reprocessCount).toBe(0);
    expect(await world.manager.jobRepository.findByJobId(`${first}:reprocess:1`)).toBeNull();

    const run = await post('/admin/dlq/reprocess', { severity: 'medium', limit: 10, corrections: { failTimes: 0 } }, BOB_TOKEN);
    expect(run.statusCode).toBe(200);
    const results = run.json().results as Array<{ jobId: string; action: string; newJobId?: string }>;
    expect(results.filter((r) => r.action === 'reprocess').map((r) => r.jobId).sort()).toEqual([first, second].sort());
    for (const jobId of [first, second]) {
      const copy = await jobReaches(world.manager, `${jobId}:reprocess:1`, 'completed');
      expect(copy.history[0].by).toBe('bob');
    }
    expect(results.find((r) => r.jobId === exhausted)).toMatchObject({ action: 'skip' });
    expect((await world.manager.findDLQEntryByJobId(exhausted))?.reprocessCount).toBe(3);
  });
});
