import { bearer, startHttpWorld, type HttpWorld } from './http-test-kit';

describe('HTTP admin API: input validation and operator injection', () => {
  let world: HttpWorld;
  beforeAll(async () => {
    world = await startHttpWorld('http_validation', 1);
  });
  afterAll(async () => {
    await world.stop();
  });

  const get = (url: string) => world.server.app.inject({ method: 'GET', url, headers: bearer() });
  const post = (url: string, payload?: unknown) => world.server.app.inject({ method: 'POST', url, headers: bearer(), ...(payload === undefined ? {} : { payload: payload as object }) });

  it('answers 400 listing every problem', async () => {
    const response = await get('/admin/jobs?status=exploded&limit=5000&band=URGENT');
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: string; problems: string[] };
    expect(body.error).toBe('INVALID_INPUT');
    expect(body.problems).toEqual(expect.arrayContaining([expect.stringMatching(/^status:/), expect.stringMatching(/^limit:/), expect.stringMatching(/^band:/)]));
  });

  it.each([
    '/admin/jobs?minPriority=9&maxPriority=3',
    '/admin/jobs?minPriority=high',
    '/admin/jobs?createdFrom=yesterday',
    '/admin/jobs?createdFrom=1',
    '/admin/jobs?createdFrom=2026-11-02T00:00:00Z&createdTo=2026-11-01T00:00:00Z',
    '/admin/jobs?limit=0',
    '/admin/jobs?skip=-1',
    '/admin/jobs?cursor=abc',
    '/admin/jobs?limit=1&limit=2',
    '/admin/jobs?unknown=1',
    '/admin/dlq?severity=fatal',
    '/admin/dlq?reviewed=maybe',
    '/admin/dlq?limit=1001',
  ])('refuses %s', async (url) => {
    expect((await get(url)).statusCode).toBe(400);
  });

  it.each([
    '/admin/jobs?status[$ne]=x',
    '/admin/jobs?status%5B%24ne%5D=x',
    '/admin/jobs?type[$where]=this.a%3E1',
    `/admin/jobs?type=${encodeURIComponent('{"$where":"this.attempts > 0"}')}`,
    `/admin/jobs?type=${encodeURIComponent('{"$gt":""}')}`,
    '/admin/jobs?$where=1',
    `/admin/dlq?type=${encodeURIComponent('{"$ne":null}')}`,
    '/admin/dlq?reason[$regex]=.*',
    '/admin/dlq/%24where',
    '/admin/jobs/%24ne',
  ])('refuses the injection attempt %s', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'INVALID_INPUT' });
  });

  it('refuses operators and unknown fields in bodies', async () => {
    const refused: Array<[string, unknown]> = [
      ['/admin/dlq/reprocess', { type: { $ne: null }, limit: 5 }],
      ['/admin/dlq/reprocess', { severity: 'high' }],
      ['/admin/dlq/reprocess', { limit: 5, dryRun: 'yes' }],
      ['/admin/dlq/reprocess', { limit: 5, corrections: { $set: { a: 1 } } }],
      ['/admin/dlq/reprocess', { limit: 5, corrections: { 'a.b': 1 } }],
      ['/admin/dlq/some-entry/reprocess', { corrections: 'all' }],
      ['/admin/dlq/some-entry/reprocess', { corrections: {}, extra: true }],
      ['/admin/dlq/some-entry/review', { note: { $gt: '' } }],
      ['/admin/jobs/some-job/reschedule', { runAt: 'not a date' }],
      ['/admin/jobs/some-job/reschedule', {}],
      ['/admin/jobs/some-job/reschedule', { runAt: { $gt: 0 } }],
      ['/admin/jobs/some-job/cancel', { reason: 42 }],
    ];
    for (const [url, payload] of refused) {
      const response = await post(url, payload);
      expect([url, payload, response.statusCode]).toEqual([url, payload, 400]);
    }
    const malformed = await world.server.app.inject({ method: 'POST', url: '/admin/jobs/x/cancel', headers: { ...bearer(), 'content-type': 'application/json' }, payload: '{"reason":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'INVALID_INPUT', problems: [expect.any(String)] });
    const empty = await world.server.app.inject({ method: 'POST', url: '/admin/jobs/x/cancel', headers: { ...bearer(), 'content-type': 'application/json' } });
    expect(empty.json()).toMatchObject({ error: 'INVALID_INPUT' });
  });

  it('changes nothing when it refuses', async () => {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: 'untouched' }, delay: 3_600_000 });
    expect((await post(`/admin/jobs/${jobId}/reschedule`, { runAt: '2026-13-45' })).statusCode).toBe(400);
    expect((await post(`/admin/jobs/${jobId}/cancel`, { reason: 'x', by: 'mallory' })).statusCode).toBe(400);
    const job = await world.manager.jobRepository.findByJobId(jobId);
    expect(job?.status).toBe('scheduled');
    expect(job?.history).toHaveLength(1);
  });
});
