import { EmbeddedMongoServer } from '../../embedded-mongo/src/server';
import { createHttpServer, type QueueHttpServer } from '../../src/http/http-server';
import type { QueueManager } from '../../src/manager/queue-manager';
import type { QueueWorker } from '../../src/worker/queue-worker';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { ADMIN_TOKENS, bearer } from './http-test-kit';

/**
 * What the unauthenticated endpoints tell and what they cost. The MongoDB server here is the
 * test's own, so the commands it ran are counted on the server itself.
 */
describe('HTTP health: no secrets, bounded cost', () => {
  const harness = new QueueHarness('http_exposure');
  const mongo = new EmbeddedMongoServer();
  let manager: QueueManager;
  let worker: QueueWorker;
  const servers: QueueHttpServer[] = [];
  const aggregations = () => mongo.stats().commands.aggregate ?? 0;
  /** Each reading pings MongoDB once (checkHealth); nothing else in this process sends a ping. */
  const readings = () => mongo.stats().commands.ping ?? 0;

  beforeAll(async () => {
    await harness.start();
    await mongo.start();
    manager = await harness.manager({ mongodb: { uri: mongo.uri, dbName: 'http_exposure' } });
    worker = await harness.worker(manager, 2);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await harness.stop();
    await mongo.stop();
  });

  function server(snapshotMaxAgeMs?: number): QueueHttpServer {
    const created = createHttpServer({ manager, worker, logger: harness.logger, adminTokens: ADMIN_TOKENS, snapshotMaxAgeMs });
    servers.push(created);
    return created;
  }

  it('tells counts and timings on /health/worker, and the running job ids only behind the admin token', async () => {
    const http = server();
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'customer-4711', holdMs: 5_000 }, jobId: 'export-customer-4711' });
    await waitFor(() => worker.getStats().currentJobs.includes(jobId), 'the job to run');
    const health = await http.app.inject({ method: 'GET', url: '/health/worker' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({
      status: 'ok',
      isRunning: true,
      paused: false,
      msSinceProgress: expect.any(Number),
      stallMs: expect.any(Number),
      uptimeMs: expect.any(Number),
      concurrency: 2,
      activeJobs: 1,
      processedJobs: expect.any(Number),
      failedJobs: expect.any(Number),
    });
    expect(health.body).not.toContain('4711');
    expect(health.body).not.toContain(worker.workerId);

    expect((await http.app.inject({ method: 'GET', url: '/admin/worker' })).statusCode).toBe(401);
    const detail = await http.app.inject({ method: 'GET', url: '/admin/worker', headers: bearer() });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({ workerId: worker.workerId, currentJobs: [jobId] });
    await manager.cancelJob(jobId, 'test').catch(() => undefined);
  });

  it('serves a flood of /health/queue and /metrics requests from one reading: no aggregation beyond the first', async () => {
    const http = server(60_000);
    const before = aggregations();
    expect((await http.app.inject({ method: 'GET', url: '/health/queue' })).statusCode).toBe(200);
    const perReading = aggregations() - before;
    expect(perReading).toBeGreaterThan(0);

    const afterFirst = aggregations();
    const readingsAfterFirst = readings();
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => http.app.inject({ method: 'GET', url: i % 2 === 0 ? '/health/queue' : '/metrics' })),
    );
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(answers[1].body).toMatch(/^queue_jobs\{/m);
    expect(aggregations()).toBe(afterFirst);
    expect(readings()).toBe(readingsAfterFirst);
  });

  it('reads again at most once per interval while requests keep coming, concurrent ones sharing a reading', async () => {
    const interval = 250;
    const http = server(interval);
    const start = readings();
    const floodStart = Date.now();
    let requests = 0;
    while (Date.now() - floodStart < 4 * interval || requests < 200) {
      await Promise.all(Array.from({ length: 20 }, () => http.app.inject({ method: 'GET', url: requests % 2 === 0 ? '/health/queue' : '/metrics' })));
      requests += 20;
    }
    const elapsed = Date.now() - floodStart;
    const taken = readings() - start;
    // A reading starts at most once per interval (plus the one that may straddle the end).
    expect(taken).toBeLessThanOrEqual(Math.ceil(elapsed / interval) + 1);
    expect(taken).toBeGreaterThanOrEqual(1);
    const body = (await http.app.inject({ method: 'GET', url: '/health/queue' })).json() as { snapshotAt: string; timestamp: string };
    expect(Date.parse(body.timestamp) - Date.parse(body.snapshotAt)).toBeLessThan(interval + 1_000);
  });
});
