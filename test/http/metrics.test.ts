import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import { createHttpServer } from '../../src/http/http-server';
import { jobReaches, startHttpWorld, type HttpWorld } from './http-test-kit';

describe('HTTP metrics: Prometheus text from a registry per server', () => {
  let world: HttpWorld;
  beforeAll(async () => {
    world = await startHttpWorld('http_metrics');
  });
  afterAll(async () => {
    await world.stop();
  });

  async function scrape(server = world.server): Promise<PrometheusFamily[]> {
    const response = await server.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return parsePrometheusTextFormat(response.body);
  }
  const family = (families: PrometheusFamily[], name: string) => families.find((f) => f.name === name);
  const sample = (families: PrometheusFamily[], name: string, labels: Record<string, string> = {}) =>
    family(families, name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  const value = (families: PrometheusFamily[], name: string, labels: Record<string, string> = {}) => Number(sample(families, name, labels)?.value);

  it('counts what the worker did and reads queue, DLQ and component gauges at scrape time', async () => {
    const done = await world.manager.addJob({ type: 'test_job', data: { label: 'metered' }, priority: 17 });
    await jobReaches(world.manager, done.jobId, 'completed');
    const retried = await world.manager.addJob({ type: 'test_job', data: { label: 'flaky', failTimes: 1 }, priority: 12 });
    await jobReaches(world.manager, retried.jobId, 'completed');
    const dead = await world.manager.addJob({ type: 'test_job', data: { label: 'fails', permanent: true }, priority: 2 });
    await jobReaches(world.manager, dead.jobId, 'dead');
    await world.manager.addJob({ type: 'test_job', data: { label: 'later' }, delay: 3_600_000, priority: 7 });

    const families = await scrape();
    expect(value(families, 'queue_jobs_processed_total', { type: 'test_job' })).toBeGreaterThanOrEqual(2);
    expect(value(families, 'queue_jobs_failed_total', { type: 'test_job', outcome: 'retry' })).toBeGreaterThanOrEqual(1);
    expect(value(families, 'queue_jobs_failed_total', { type: 'test_job', outcome: 'dead' })).toBeGreaterThanOrEqual(1);
    expect(value(families, 'queue_jobs', { status: 'completed', band: 'CRITICAL' })).toBe(1);
    expect(value(families, 'queue_jobs', { status: 'completed', band: 'HIGH' })).toBe(1);
    expect(value(families, 'queue_jobs', { status: 'dead', band: 'LOW' })).toBe(1);
    expect(value(families, 'queue_jobs', { status: 'scheduled', band: 'NORMAL' })).toBe(1);
    expect(family(families, 'queue_jobs')?.metrics).toHaveLength(4 * 7);
    expect(value(families, 'queue_dlq_entries', { severity: 'low' })).toBe(1);
    expect(family(families, 'queue_dlq_entries')?.metrics).toHaveLength(4);

    const histogram = family(families, 'queue_job_duration_seconds');
    expect(histogram?.type).toBe('HISTOGRAM');
    expect(Object.keys(histogram?.metrics[0]?.buckets ?? {})).toContain('+Inf');
    // The parser folds a labelled histogram's _count and _sum away: read them from the text.
    const text = (await world.server.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(Number(/^queue_job_duration_seconds_count\{type="test_job"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(4);

    const ages = family(families, 'queue_oldest_ready_job_age_seconds');
    expect(ages?.metrics.map((m) => m.labels?.band).sort()).toEqual(['CRITICAL', 'HIGH', 'LOW', 'NORMAL']);
    expect(ages?.metrics.every((m) => Number(m.value) >= 0)).toBe(true);

    const hitRate = value(families, 'queue_batch_cache_hit_ratio');
    expect(hitRate).toBeGreaterThanOrEqual(0);
    expect(hitRate).toBeLessThanOrEqual(1);
    expect(value(families, 'queue_mongodb_up')).toBe(1);
    expect(value(families, 'queue_redis_up')).toBe(1);
    expect(family(families, 'queue_lease_extensions_total')?.type).toBe('COUNTER');
    expect(family(families, 'queue_fenced_results_total')?.type).toBe('COUNTER');
    expect(family(families, 'process_cpu_user_seconds_total')).toBeDefined();
    expect(family(families, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('shows the age of the oldest ready job in its band (the autoscaling signal)', async () => {
    // No worker takes these: a server without one reads the ages from MongoDB alone.
    await world.worker.stop(1_000);
    await world.manager.addJob({ type: 'test_job', data: { label: 'waiting' }, priority: 11 });
    const families = await (async () => {
      const server = createHttpServer({ manager: world.manager, logger: world.harness.logger });
      try {
        return await scrape(server);
      } finally {
        await server.close();
      }
    })();
    expect(value(families, 'queue_jobs', { status: 'pending', band: 'HIGH' }) + value(families, 'queue_jobs', { status: 'batched', band: 'HIGH' })).toBe(1);
    expect(value(families, 'queue_oldest_ready_job_age_seconds', { band: 'HIGH' })).toBeGreaterThanOrEqual(0);
    expect(value(families, 'queue_oldest_ready_job_age_seconds', { band: 'CRITICAL' })).toBe(0);
    // A server of its own has counters of its own: several can live in one process.
    expect(family(families, 'queue_jobs_processed_total')?.metrics ?? []).toHaveLength(0);
  });
});
