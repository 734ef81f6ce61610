import { authenticate } from '../../src/http/admin-auth';
import { createHttpServer } from '../../src/http/http-server';
import { ADMIN_TOKENS, ALICE_TOKEN, BOB_TOKEN, bearer, startHttpWorld, type HttpWorld } from './http-test-kit';

describe('HTTP admin API: bearer tokens and unknown routes', () => {
  let world: HttpWorld;
  beforeAll(async () => {
    world = await startHttpWorld('http_auth', 1);
  });
  afterAll(async () => {
    await world.stop();
  });

  it('names the actor of a valid token and nobody for anything else', () => {
    expect(authenticate(ADMIN_TOKENS, `Bearer ${ALICE_TOKEN}`)).toBe('alice');
    expect(authenticate(ADMIN_TOKENS, `bearer ${BOB_TOKEN}`)).toBe('bob');
    for (const header of [undefined, '', ALICE_TOKEN, `Basic ${ALICE_TOKEN}`, `Bearer ${ALICE_TOKEN}x`, `Bearer ${ALICE_TOKEN.slice(0, -1)}`, 'Bearer ', `Bearer ${ALICE_TOKEN} ${BOB_TOKEN}`]) {
      expect(authenticate(ADMIN_TOKENS, header)).toBeUndefined();
    }
    expect(authenticate([], `Bearer ${ALICE_TOKEN}`)).toBeUndefined();
  });

  it('answers 401 without a valid token on every admin route, and 200 with one', async () => {
    const routes: Array<['GET' | 'POST', string]> = [
      ['GET', '/admin/stats'],
      ['GET', '/admin/jobs'],
      ['GET', '/admin/jobs/some-job'],
      ['POST', '/admin/jobs/some-job/retry'],
      ['POST', '/admin/jobs/some-job/cancel'],
      ['POST', '/admin/jobs/some-job/reschedule'],
      ['GET', '/admin/dlq'],
      ['GET', '/admin/dlq/stats'],
      ['GET', '/admin/dlq/some-entry'],
      ['POST', '/admin/dlq/some-entry/reprocess'],
      ['POST', '/admin/dlq/some-entry/review'],
      ['POST', '/admin/dlq/reprocess'],
    ];
    for (const [method, url] of routes) {
      for (const headers of [{}, bearer('wrong-token-0123456789abcd'), { authorization: ALICE_TOKEN }]) {
        const response = await world.server.app.inject({ method, url, headers });
        expect([method, url, response.statusCode]).toEqual([method, url, 401]);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.json()).toMatchObject({ error: 'UNAUTHORIZED' });
      }
    }
    const stats = await world.server.app.inject({ method: 'GET', url: '/admin/stats', headers: bearer(BOB_TOKEN) });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ queue: { queue: 'test' }, dlq: { totalEntries: 0 } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    for (const url of ['/nowhere', '/admin/nowhere', '/health']) {
      const response = await world.server.app.inject({ method: 'GET', url, headers: bearer() });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ error: 'NOT_FOUND' });
    }
    expect((await world.server.app.inject({ method: 'DELETE', url: '/admin/stats', headers: bearer() })).statusCode).toBe(404);
  });

  it('lets a read-only token read but refuses its changes with 403, writing nothing', async () => {
    const viewerToken = 'viewer-token-0123456789abcdef';
    const server = createHttpServer({ manager: world.manager, worker: world.worker, logger: world.harness.logger, adminTokens: [...ADMIN_TOKENS, { name: 'viewer', token: viewerToken, role: 'read' }] });
    try {
      const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: 'ro' }, delay: 60_000 });
      expect((await server.app.inject({ method: 'GET', url: `/admin/jobs/${jobId}`, headers: bearer(viewerToken) })).statusCode).toBe(200);
      const cancel = await server.app.inject({ method: 'POST', url: `/admin/jobs/${jobId}/cancel`, headers: bearer(viewerToken), payload: {} });
      expect(cancel.statusCode).toBe(403);
      expect(cancel.json()).toMatchObject({ error: 'FORBIDDEN' });
      expect((await world.manager.jobRepository.findByJobId(jobId))?.status).toBe('scheduled');
      expect((await server.app.inject({ method: 'POST', url: `/admin/jobs/${jobId}/cancel`, headers: bearer(), payload: {} })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('does not register the admin API without tokens', async () => {
    const server = createHttpServer({ manager: world.manager, worker: world.worker, logger: world.harness.logger });
    try {
      const response = await server.app.inject({ method: 'GET', url: '/admin/stats', headers: bearer() });
      expect(response.statusCode).toBe(404);
      expect((await server.app.inject({ method: 'GET', url: '/health/worker' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
  });
});
