import { overallOf } from '../../src/manager/health-check';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

describe('checkHealth as documented', () => {
  const harness = new QueueHarness('health_check');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('reports each component and performance figures that follow completed and failed jobs', async () => {
    const manager = await harness.manager({ name: 'health', redis: { host: '127.0.0.1', port: harness.redis.port, db: 3 } });
    const fresh = await manager.checkHealth();
    expect(fresh).toMatchObject({
      overall: 'healthy',
      issues: [],
      mongodb: { status: 'connected', latency: expect.any(Number) },
      redis: { status: 'connected', latency: expect.any(Number), database: 3 },
      cache: { status: 'operational', hitRate: expect.any(Number), entries: 0 },
      performance: { avgProcessingTime: 0, throughputPerMinute: 0, successRate: 1, completed: 0, failed: 0 },
    });
    expect(fresh.redis.memory).toBeGreaterThan(0);
    expect(fresh.mongodb.collections).toEqual({ jobs: expect.any(Number), dead_letter_jobs: expect.any(Number) });

    // Ids waiting in the Redis batches are the cache's entries; the collection counts follow the documents.
    await manager.addJobs(Array.from({ length: 4 }, (_, i) => ({ type: 'test_job', data: { label: `h-${i}`, holdMs: 30 } })));
    const queued = await manager.checkHealth();
    expect(queued.cache.entries).toBe(4);
    expect(queued.mongodb.collections!.jobs).toBe(fresh.mongodb.collections!.jobs + 4);

    await harness.worker(manager, 2);
    await waitFor(async () => (await manager.getQueueStats()).completed === 4, 'four completed jobs', 30_000);
    // Each probe has a 1 s deadline: on a loaded machine a read may miss it, so ask again.
    const afterCompletions = await waitFor(async () => {
      const health = await manager.checkHealth();
      return health.performance.completed === 4 ? health : null;
    }, 'four completions in the health figures', 30_000);
    expect(afterCompletions.performance.throughputPerMinute).toBeCloseTo(4 / afterCompletions.performance.windowMinutes, 5);
    expect(afterCompletions.performance.successRate).toBe(1);
    // Each job held for 30 ms: the mean run time says so.
    expect(afterCompletions.performance.avgProcessingTime).toBeGreaterThanOrEqual(25);
    expect(afterCompletions.cache.entries).toBe(0);

    await manager.addJob({ type: 'test_job', data: { label: 'h-dead', permanent: true } });
    const afterFailure = await waitFor(async () => {
      const health = await manager.checkHealth();
      // The DLQ entry is the second write of the move to dead: wait for it as well as the failure.
      const dlqCount = health.mongodb.collections?.dead_letter_jobs;
      return health.performance.failed === 1 && dlqCount === fresh.mongodb.collections!.dead_letter_jobs + 1 ? health : null;
    }, 'one failure and its DLQ entry in the health figures', 30_000);
    expect(afterFailure.performance).toMatchObject({ completed: 4, failed: 1, successRate: 0.8 });
    expect(afterFailure.mongodb.collections!.dead_letter_jobs).toBe(fresh.mongodb.collections!.dead_letter_jobs + 1);
    // Another queue's jobs are not in this queue's figures.
    const other = await harness.manager({ name: 'health-other' });
    expect((await other.checkHealth()).performance).toMatchObject({ completed: 0, failed: 0 });
  }, 120_000);

  it('reads degraded while Redis is down, with the Redis figures unknown, and healthy once it is back', async () => {
    const manager = await harness.manager({ name: 'health-redis' });
    await harness.redis.kill();
    try {
      const degraded = await waitFor(async () => {
        const health = await manager.checkHealth();
        return health.overall === 'degraded' ? health : null;
      }, 'a degraded report');
      expect(degraded).toMatchObject({
        mongodb: { status: 'connected' },
        redis: { status: 'disconnected', latency: null, memory: null, database: 0 },
        cache: { status: 'degraded', entries: null },
      });
      expect(degraded.issues).toEqual([expect.stringMatching(/^redis: /)]);
    } finally {
      await harness.redis.start(harness.redis.port);
    }
    await waitFor(async () => (await manager.checkHealth()).overall === 'healthy', 'health to recover', 20_000);
  });

  it('takes the worst verdict for overall, so another input is one more entry', () => {
    expect(overallOf([]).overall).toBe('healthy');
    expect(overallOf([{ component: 'mongodb', state: 'healthy' }, { component: 'redis', state: 'degraded', reason: 'down' }])).toEqual({ overall: 'degraded', issues: ['redis: down'] });
    expect(overallOf([{ component: 'redis', state: 'degraded' }, { component: 'mongodb', state: 'unhealthy', reason: 'no ping' }, { component: 'probe', state: 'healthy' }])).toEqual({
      overall: 'unhealthy',
      issues: ['redis: degraded', 'mongodb: no ping'],
    });
  });
});
