import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createHttpServer, type QueueHttpServer } from '../../src/http/http-server';
import type { QueueManager } from '../../src/manager/queue-manager';
import type { QueueWorker } from '../../src/worker/queue-worker';
import { EmbeddedMongoServer } from '../../src/embedded/server';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef01';

describe('HTTP: health, metrics and the admin API', () => {
  const harness = new QueueHarness('http');
  let manager: QueueManager;
  let worker: QueueWorker;
  let server: QueueHttpServer;
  const auth = (token = ALICE) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    worker = await harness.worker(manager, 2);
    server = createHttpServer({ manager, worker, logger: harness.logger, adminTokens: [{ name: 'alice', token: ALICE }, { name: 'bob', token: BOB }], livenessStallMs: 5_000 });
  });
  afterAll(async () => {
    await server.close();
    await harness.stop();
  });

  async function finished(jobId: string, status: string) {
    return waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(jobId);
      return doc?.status === status && !doc.dlqPending ? doc : null;
    }, `job ${jobId} to be ${status}`);
  }

  it('serves liveness and readiness over real HTTP', async () => {
    const url = await server.listen(0, '127.0.0.1');
    const live = await fetch(`${url}/health/worker`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', isRunning: true, workerId: worker.workerId });
    const ready = await fetch(`${url}/health/queue`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; components: { mongodb: { status: string } }; queue: unknown; dlq: unknown; timestamp: string };
    expect(body).toMatchObject({ status: 'healthy', components: { mongodb: { status: 'up' }, redis: { status: 'up' } } });
    expect(body.queue).not.toBeNull();
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });

  it('exposes Prometheus metrics that a parser reads', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'metered' }, priority: 17 });
    await finished(jobId, 'completed');
    const { jobId: failing } = await manager.addJob({ type: 'test_job', data: { label: 'fails', permanent: true }, priority: 2 });
    await finished(failing, 'dead');
    const response = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const families = parsePrometheusTextFormat(response.body) as Array<{ name: string; metrics: Array<{ value?: string; labels?: Record<string, string>; buckets?: unknown }> }>;
    const family = (name: string) => families.find((f) => f.name === name);
    const value = (name: string, labels: Record<string, string>) => Number(family(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value);
    expect(value('queue_jobs_processed_total', { type: 'test_job' })).toBeGreaterThanOrEqual(1);
    expect(value('queue_jobs_failed_total', { type: 'test_job', outcome: 'dead' })).toBeGreaterThanOrEqual(1);
    expect(value('queue_jobs', { status: 'completed', band: 'CRITICAL' })).toBeGreaterThanOrEqual(1);
    expect(value('queue_dlq_entries', { severity: 'low' })).toBeGreaterThanOrEqual(1);
    expect(family('queue_oldest_ready_job_age_seconds')?.metrics).toHaveLength(4);
    expect(family('queue_job_duration_seconds')).toBeDefined();
    expect(Number(family('queue_mongodb_up')?.metrics[0].value)).toBe(1);
    expect(Number(family('queue_redis_up')?.metrics[0].value)).toBe(1);
    expect(family('process_cpu_user_seconds_total')).toBeDefined();
  });

  it('refuses the admin API without a valid token (401) and answers unknown routes with 404', async () => {
    expect((await server.app.inject({ method: 'GET', url: '/admin/stats' })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'GET', url: '/admin/stats', headers: auth('wrong-token-0123456789abcd') })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'GET', url: '/admin/stats', headers: { authorization: ALICE } })).statusCode).toBe(401);
    expect((await server.app.inject({ method: 'GET', url: '/admin/stats', headers: auth() })).statusCode).toBe(200);
    const missing = await server.app.inject({ method: 'GET', url: '/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'NOT_FOUND' });
  });

  it('validates every input (400 with the problems) and refuses operator injection', async () => {
    const bad = await server.app.inject({ method: 'GET', url: '/admin/jobs?status=exploded&limit=5000', headers: auth() });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().problems.join(' ')).toMatch(/status/);
    for (const url of ['/admin/jobs?status[$ne]=x', '/admin/jobs?type[$where]=this.a%3E1', '/admin/dlq?type=%7B%22%24gt%22%3A%22%22%7D', '/admin/jobs?unknown=1']) {
      expect((await server.app.inject({ method: 'GET', url, headers: auth() })).statusCode).toBe(400);
    }
    const body = await server.app.inject({ method: 'POST', url: '/admin/dlq/reprocess', headers: auth(), payload: { type: { $ne: null }, limit: 5 } });
    expect(body.statusCode).toBe(400);
    const date = await server.app.inject({ method: 'POST', url: '/admin/jobs/x/reschedule', headers: auth(), payload: { runAt: 'not a date' } });
    expect(date.statusCode).toBe(400);
  });

  it('lists, shows, cancels, reschedules and retries jobs, naming the actor in the audit trail', async () => {
    const waiting = await manager.addJob({ type: 'test_job', data: { label: 'waiting' }, delay: 3_600_000 });
    const list = await server.app.inject({ method: 'GET', url: '/admin/jobs?status=scheduled&type=test_job&limit=10', headers: auth() });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((j: { jobId: string }) => j.jobId)).toContain(waiting.jobId);
    const detail = await server.app.inject({ method: 'GET', url: `/admin/jobs/${waiting.jobId}`, headers: auth() });
    expect(detail.json()).toMatchObject({ jobId: waiting.jobId, history: [expect.objectContaining({ to: 'scheduled' })] });
    expect((await server.app.inject({ method: 'GET', url: '/admin/jobs/missing-job', headers: auth() })).statusCode).toBe(404);

    const retried = await server.app.inject({ method: 'POST', url: `/admin/jobs/${waiting.jobId}/retry`, headers: auth('bob-token-0123456789abcdef01') });
    expect(retried.json()).toMatchObject({ action: 'run_now' });
    const done = await finished(waiting.jobId, 'completed');
    expect(done.history.find((h) => h.from === 'scheduled' && h.to === 'pending')?.by).toBe('bob');

    const other = await manager.addJob({ type: 'test_job', data: { label: 'to-cancel' }, delay: 3_600_000 });
    const future = new Date(Date.now() + 7_200_000).toISOString();
    expect((await server.app.inject({ method: 'POST', url: `/admin/jobs/${other.jobId}/reschedule`, headers: auth(), payload: { runAt: future } })).json().job.runAt).toBe(future);
    const cancelled = await server.app.inject({ method: 'POST', url: `/admin/jobs/${other.jobId}/cancel`, headers: auth(), payload: { reason: 'duplicate order' } });
    expect(cancelled.json().job).toMatchObject({ status: 'cancelled' });
    expect(cancelled.json().job.history.at(-1)).toMatchObject({ to: 'cancelled', by: 'alice', reason: 'duplicate order' });
    expect((await server.app.inject({ method: 'POST', url: `/admin/jobs/${other.jobId}/cancel`, headers: auth() })).statusCode).toBe(409);
  });

  it('runs the DLQ workflow: list, show, review, reprocess with corrections, bulk dry run', async () => {
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'broken', failTimes: 9, value: 2 }, maxAttempts: 1, priority: 18 });
    await finished(jobId, 'dead');
    const list = await server.app.inject({ method: 'GET', url: '/admin/dlq?severity=critical&reviewed=false', headers: auth() });
    const entry = list.json().items.find((e: { jobId: string }) => e.jobId === jobId);
    expect(entry).toBeDefined();
    expect((await server.app.inject({ method: 'GET', url: `/admin/dlq/${entry._id}`, headers: auth() })).json()).toMatchObject({ jobId, failureReason: 'handler_error' });
    expect((await server.app.inject({ method: 'GET', url: '/admin/dlq/stats', headers: auth() })).json().totalEntries).toBeGreaterThanOrEqual(1);

    const reviewed = await server.app.inject({ method: 'POST', url: `/admin/dlq/${entry._id}/review`, headers: auth('bob-token-0123456789abcdef01'), payload: { note: 'bad input from partner' } });
    expect(reviewed.json().review).toMatchObject({ by: 'bob', note: 'bad input from partner' });

    const dry = await server.app.inject({ method: 'POST', url: '/admin/dlq/reprocess', headers: auth(), payload: { severity: 'critical', limit: 10, dryRun: true } });
    expect(dry.json()).toMatchObject({ dryRun: true });
    expect(dry.json().wouldReprocess).toContain(jobId);
    expect((await manager.findDLQEntryByJobId(jobId))?.reprocessCount).toBe(0);

    const reprocessed = await server.app.inject({ method: 'POST', url: `/admin/dlq/${entry._id}/reprocess`, headers: auth(), payload: { corrections: { failTimes: 0 } } });
    expect(reprocessed.statusCode).toBe(200);
    expect(reprocessed.json()).toMatchObject({ dataBefore: { failTimes: 9, value: 2 }, dataAfter: { failTimes: 0, value: 2 }, reprocessCount: 1 });
    const fixed = await finished(reprocessed.json().newJobId, 'completed');
    expect(fixed.history[0]).toMatchObject({ by: 'alice' });
    expect((await manager.findDLQEntryByJobId(jobId))?.reprocessHistory[0]).toMatchObject({ by: 'alice', corrections: { failTimes: 0 } });
  });

  it('reports 206 when Redis is down and 503 (with the component named) when MongoDB is down', async () => {
    await harness.redis.kill();
    await waitFor(async () => (await server.app.inject({ method: 'GET', url: '/health/queue' })).statusCode === 206, 'a degraded readiness answer');
    await harness.redis.start(harness.redis.port);
    await waitFor(async () => (await server.app.inject({ method: 'GET', url: '/health/queue' })).statusCode === 200, 'recovery');

    const mongo = await new EmbeddedMongoServer().start();
    const isolated = new QueueHarness('http_mongo_down');
    await isolated.start();
    const other = await isolated.manager({ mongodb: { uri: mongo.uri, dbName: 'down', serverSelectionTimeoutMs: 500 } });
    const otherServer = createHttpServer({ manager: other, logger: isolated.logger });
    try {
      expect((await otherServer.app.inject({ method: 'GET', url: '/health/queue' })).statusCode).toBe(200);
      await mongo.stop();
      const down = await waitFor(async () => {
        const r = await otherServer.app.inject({ method: 'GET', url: '/health/queue' });
        return r.statusCode === 503 ? r : null;
      }, 'an unhealthy readiness answer');
      expect(down.json()).toMatchObject({ status: 'unhealthy', components: { mongodb: { status: 'down' } }, queue: null });
      const metrics = await otherServer.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(/queue_mongodb_up 0/);
    } finally {
      await otherServer.close();
      await isolated.stop().catch(() => undefined);
    }
  });

  it('answers 503 from /health/worker when the worker stopped', async () => {
    const stopped = createHttpServer({ manager, worker, logger: harness.logger, livenessStallMs: 5_000 });
    await worker.stop(1_000);
    expect((await stopped.app.inject({ method: 'GET', url: '/health/worker' })).statusCode).toBe(503);
    await stopped.close();
  });
});
