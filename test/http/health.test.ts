import { createHttpServer } from '../../src/http/http-server';
import { EmbeddedMongoServer } from '../../embedded-mongo/src/server';
import { QueueWorker, type WorkerStats } from '../../src/worker/queue-worker';
import { WorkerEvents } from '../../src/worker/worker-events';
import { testJobDefinition } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { startHttpWorld, type HttpWorld } from './http-test-kit';
import { createQueueManager } from '../../src/composition/create-queue-manager';

interface QueueHealthBody {
  status: string;
  timestamp: string;
  components: { mongodb: { status: string }; redis: { status: string }; cache: { status: string } } | null;
  metrics: { queue: { total: number } | null; dlq: { totalEntries: number } | null };
}

/** A worker whose loop stopped turning: running, but its last progress lies in the past. */
function stalledWorker(): { worker: QueueWorker; events: WorkerEvents } {
  const events = new WorkerEvents();
  const stats: WorkerStats = {
    workerId: 'stalled-worker',
    isRunning: true,
    processedJobs: 0,
    failedJobs: 0,
    paused: false,
    retriedJobs: 0,
    fencedJobs: 0,
    uptime: 60_000,
    concurrency: 1,
    currentJob: 'stuck-job',
    currentJobs: ['stuck-job'],
    lastActivityAt: new Date(Date.now() - 60_000),
  };
  return { worker: { workerId: stats.workerId, events, getStats: () => stats } as unknown as QueueWorker, events };
}

describe('HTTP health: liveness and readiness', () => {
  let world: HttpWorld;
  beforeAll(async () => {
    world = await startHttpWorld('http_health');
  });
  afterAll(async () => {
    await world.stop();
  });

  it('answers liveness and readiness over a real socket', async () => {
    const url = await world.server.listen(0, '127.0.0.1');
    const live = await fetch(`${url}/health/worker`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', isRunning: true, activeJobs: expect.any(Number) });

    const ready = await fetch(`${url}/health/queue`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as QueueHealthBody;
    expect(body).toMatchObject({
      status: 'healthy',
      components: {
        mongodb: { status: 'connected', latency: expect.any(Number), collections: { jobs: expect.any(Number), dead_letter_jobs: expect.any(Number) } },
        redis: { status: 'connected', latency: expect.any(Number), database: 0, memory: expect.any(Number) },
        cache: { status: 'operational', hitRate: expect.any(Number), entries: expect.any(Number) },
      },
      performance: { avgProcessingTime: expect.any(Number), throughputPerMinute: expect.any(Number), successRate: expect.any(Number) },
    });
    expect(body.metrics.queue).toMatchObject({ total: expect.any(Number), pending: expect.any(Number), batchInfo: { totalBatches: expect.any(Number) } });
    expect(body.metrics.dlq).toMatchObject({ totalEntries: expect.any(Number), bySeverity: expect.any(Object) });
    expect(Date.parse(body.timestamp)).not.toBeNaN();
  });

  it('answers 503 from /health/worker when the loop makes no progress, 200 again once it does', async () => {
    const { worker, events } = stalledWorker();
    const server = createHttpServer({ manager: world.manager, worker, logger: world.harness.logger, livenessStallMs: 100 });
    try {
      const stuck = await waitFor(async () => {
        const response = await server.app.inject({ method: 'GET', url: '/health/worker' });
        return response.statusCode === 503 ? response : null;
      }, 'a stuck liveness answer');
      expect(stuck.json()).toMatchObject({ status: 'stuck', activeJobs: 1 });
      // A heartbeat of a long job is progress.
      events.emit('leaseExtended', { jobId: 'stuck-job' });
      expect((await server.app.inject({ method: 'GET', url: '/health/worker' })).statusCode).toBe(200);
    } finally {
      await server.close();
    }
    expect(events.listenerCount('leaseExtended')).toBe(0);
  });

  it('reports 206 while Redis is down and 200 after it is back', async () => {
    await world.harness.redis.kill();
    const degraded = await waitFor(async () => {
      const response = await world.server.app.inject({ method: 'GET', url: '/health/queue' });
      return response.statusCode === 206 ? response : null;
    }, 'a degraded readiness answer');
    expect(degraded.json()).toMatchObject({ status: 'degraded', components: { mongodb: { status: 'connected' }, redis: { status: 'disconnected', memory: null }, cache: { status: 'degraded', entries: null } } });
    expect((degraded.json() as QueueHealthBody).metrics.queue).not.toBeNull();
    const metrics = await world.server.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^queue_redis_up 0$/m);

    await world.harness.redis.start(world.harness.redis.port);
    await waitFor(async () => (await world.server.app.inject({ method: 'GET', url: '/health/queue' })).statusCode === 200, 'readiness to recover');
  });

  it('reports 503, naming MongoDB, without hanging once MongoDB is gone', async () => {
    const mongo = await new EmbeddedMongoServer().start();
    const manager = createQueueManager(world.harness.config({ mongodb: { uri: mongo.uri, dbName: 'http_health_down', serverSelectionTimeoutMs: 200 } }), world.harness.logger);
    manager.registerJob(testJobDefinition([]));
    let mongoStopped = false;
    let worker: QueueWorker | undefined;
    try {
      await manager.start();
      worker = new QueueWorker(manager, world.harness.logger, 1, 10, manager.config.worker.pollInterval);
      await worker.start();
      const server = createHttpServer({ manager, worker, logger: world.harness.logger, livenessStallMs: 1_500 });
      const standalone = createHttpServer({ manager, logger: world.harness.logger });
      try {
        expect((await server.app.inject({ method: 'GET', url: '/health/queue' })).statusCode).toBe(200);
        await mongo.stop();
        mongoStopped = true;
        const outageStartedAt = Date.now();
        const down = await waitFor(async () => {
          const response = await server.app.inject({ method: 'GET', url: '/health/queue' });
          return response.statusCode === 503 ? response : null;
        }, 'an unhealthy readiness answer');
        expect(down.json()).toMatchObject({ status: 'unhealthy', components: { mongodb: { status: 'disconnected' }, redis: { status: 'connected' } }, metrics: { queue: null, dlq: null } });
        const metrics = await server.app.inject({ method: 'GET', url: '/metrics' });
        expect(metrics.statusCode).toBe(200);
        expect(metrics.body).toMatch(/^queue_mongodb_up 0$/m);
        expect(metrics.body).not.toMatch(/^queue_jobs\{/m);
        // A worker whose claims fail while MongoDB is down is retrying, not stuck: restarting it
        // would not help. Liveness stays 200 for well over the stall window.
        const notLive: string[] = [];
        await waitFor(async () => {
          const live = await server.app.inject({ method: 'GET', url: '/health/worker' });
          if (live.statusCode !== 200) notLive.push(live.body);
          return Date.now() - outageStartedAt > 4_000;
        }, 'more than two stall windows of a MongoDB outage', 10_000);
        expect(notLive).toEqual([]);
        // No worker in this process: liveness has nothing to judge.
        expect((await standalone.app.inject({ method: 'GET', url: '/health/worker' })).json()).toMatchObject({ status: 'ok', worker: null });
      } finally {
        await server.close();
        await standalone.close();
      }
    } finally {
      await worker?.stop(1_000);
      await manager.close().catch(() => undefined);
      if (!mongoStopped) await mongo.stop();
    }
  });

  it('answers 503 from /health/worker once the worker stopped', async () => {
    await world.worker.stop(1_000);
    const response = await world.server.app.inject({ method: 'GET', url: '/health/worker' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'stopped', isRunning: false });
  });
});
