import { BOB_TOKEN, bearer, jobReaches, startHttpWorld, type HttpWorld } from './http-test-kit';

interface JobItem {
  jobId: string;
  status: string;
  priority: number;
  band: string;
  createdAt: string;
}

describe('HTTP admin API: jobs', () => {
  let world: HttpWorld;
  beforeAll(async () => {
    world = await startHttpWorld('http_jobs');
  });
  afterAll(async () => {
    await world.stop();
  });

  const get = (url: string, token?: string) => world.server.app.inject({ method: 'GET', url, headers: bearer(token) });
  const post = (url: string, payload?: object, token?: string) => world.server.app.inject({ method: 'POST', url, headers: bearer(token), ...(payload ? { payload } : {}) });

  it('lists jobs by status, type, band, priority range and creation time, a page at a time', async () => {
    const before = new Date();
    const added = [];
    for (const priority of [3, 8, 12, 18]) added.push(await world.manager.addJob({ type: 'test_job', data: { label: `p${priority}` }, priority, delay: 3_600_000 }));
    const ids = added.map((a) => a.jobId);

    const all = await get(`/admin/jobs?status=scheduled&type=test_job&createdFrom=${before.toISOString()}`);
    expect(all.statusCode).toBe(200);
    expect((all.json().items as JobItem[]).map((j) => j.jobId).sort()).toEqual([...ids].sort());
    expect(all.json().items[0]).not.toHaveProperty('history');

    const high = await get('/admin/jobs?status=scheduled&band=HIGH');
    expect((high.json().items as JobItem[]).map((j) => j.priority)).toEqual([12]);
    const range = await get('/admin/jobs?status=scheduled&minPriority=8&maxPriority=12');
    expect((range.json().items as JobItem[]).map((j) => j.priority).sort((a, b) => a - b)).toEqual([8, 12]);
    expect((await get('/admin/jobs?createdTo=2000-01-01')).json().items).toEqual([]);
    expect((await get('/admin/jobs?status=cancelled')).json().items).toEqual([]);

    // skip and cursor walk the same newest-first order.
    const bySkip: string[] = [];
    for (let skip = 0; skip < 4; skip += 2) bySkip.push(...(await get(`/admin/jobs?status=scheduled&limit=2&skip=${skip}`)).json().items.map((j: JobItem) => j.jobId));
    const byCursor: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await get(`/admin/jobs?status=scheduled&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json() as { items: JobItem[]; nextCursor: string | null };
      byCursor.push(...page.items.map((j) => j.jobId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(bySkip).toEqual([...ids].reverse());
    expect(byCursor).toEqual(bySkip);
  });

  it('shows a job with its history and errors, or 404', async () => {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: 'flaky', failTimes: 1 } });
    await jobReaches(world.manager, jobId, 'completed');
    const detail = await get(`/admin/jobs/${jobId}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      jobId,
      status: 'completed',
      errors: [expect.objectContaining({ attempt: 1, message: expect.stringContaining('attempt 1 of flaky failed'), code: 'TEST_FAILURE' })],
      history: expect.arrayContaining([expect.objectContaining({ to: 'completed' })]),
    });
    const missing = await get('/admin/jobs/missing-job');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'JOB_NOT_FOUND' });
  });

  it('cancels and reschedules waiting jobs, naming the actor in the audit trail', async () => {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: 'to-cancel' }, delay: 3_600_000 });
    const future = new Date(Date.now() + 7_200_000).toISOString();
    const moved = await post(`/admin/jobs/${jobId}/reschedule`, { runAt: future }, BOB_TOKEN);
    expect(moved.statusCode).toBe(200);
    expect(moved.json().job).toMatchObject({ status: 'scheduled', runAt: future });
    expect(moved.json().job.history.at(-1)).toMatchObject({ to: 'scheduled', by: 'bob' });

    const cancelled = await post(`/admin/jobs/${jobId}/cancel`, { reason: 'duplicate order' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().job.history.at(-1)).toMatchObject({ from: 'scheduled', to: 'cancelled', by: 'alice', reason: 'duplicate order' });
    const again = await post(`/admin/jobs/${jobId}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'INVALID_STATE' });
    expect((await post(`/admin/jobs/${jobId}/reschedule`, { runAt: future })).statusCode).toBe(409);
    expect((await post('/admin/jobs/missing-job/cancel')).statusCode).toBe(404);
    expect((await post('/admin/jobs/missing-job/reschedule', { runAt: future })).statusCode).toBe(404);

    // Rescheduled to now, a waiting job runs.
    const soon = await world.manager.addJob({ type: 'test_job', data: { label: 'run-me' }, delay: 3_600_000 });
    expect((await post(`/admin/jobs/${soon.jobId}/reschedule`, { runAt: new Date().toISOString() })).json().job).toMatchObject({ status: 'pending' });
    await jobReaches(world.manager, soon.jobId, 'completed');
  });

  it('retries a job waiting out its backoff by running it now', async () => {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: 'backing-off', retryAfterMs: 3_600_000 } });
    const waiting = await jobReaches(world.manager, jobId, 'scheduled');
    expect(waiting.attempts).toBe(1);
    const retried = await post(`/admin/jobs/${jobId}/retry`, undefined, BOB_TOKEN);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ action: 'run_now', job: { status: 'pending' } });
    const done = await jobReaches(world.manager, jobId, 'completed');
    expect(done.attempts).toBe(2);
    expect(done.history.find((h) => h.from === 'scheduled' && h.to === 'pending')?.by).toBe('bob');
  });

  it('retries a dead job by reprocessing its DLQ entry', async () => {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: 'doomed', failTimes: 1 }, maxAttempts: 1 });
    await jobReaches(world.manager, jobId, 'dead');
    const retried = await post(`/admin/jobs/${jobId}/retry`);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ action: 'reprocessed', newJobId: `${jobId}:reprocess:1`, reprocessCount: 1 });
    // The new job runs as attempt 1 again (failTimes: 1 fails it), so it dies too, but it was made by alice.
    const copy = await jobReaches(world.manager, retried.json().newJobId, 'dead');
    expect(copy.history[0]).toMatchObject({ to: 'pending', by: 'alice' });
    expect((await world.manager.findDLQEntryByJobId(jobId))?.reprocessHistory).toEqual([expect.objectContaining({ by: 'alice', newJobId: `${jobId}:reprocess:1` })]);
  });

  it('refuses to retry anything else (409) and unknown jobs (404)', async () => {
    const delayed = await world.manager.addJob({ type: 'test_job', data: { label: 'never-tried' }, delay: 3_600_000 });
    const completed = await world.manager.addJob({ type: 'test_job', data: { label: 'fine' } });
    await jobReaches(world.manager, completed.jobId, 'completed');
    for (const jobId of [delayed.jobId, completed.jobId]) {
      const response = await post(`/admin/jobs/${jobId}/retry`);
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ error: 'INVALID_STATE' });
    }
    expect((await post('/admin/jobs/missing-job/retry')).statusCode).toBe(404);
  });
});
