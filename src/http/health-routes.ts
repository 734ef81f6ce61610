import type { FastifyInstance } from 'fastify';
import type { QueueSnapshot } from '../metrics/queue-snapshot';
import type { QueueWorker } from '../worker/queue-worker';

const STATUS_BY_HEALTH = { healthy: 200, degraded: 206, unhealthy: 503 } as const;

export interface LivenessSource {
  /** No progress for this long and the worker counts as stuck. */
  stallMs: number;
  /** Epoch ms of the worker's last sign of progress. */
  lastProgressAt: () => number;
}

/**
 * Both endpoints answer without authentication, so they say how things go and nothing about what
 * runs: no job ids (customer ids end up in them), no worker identity; those are on the admin API.
 * /health/worker: liveness, from the worker's own progress (no database round trip), so a
 * process whose loop stopped turning gets restarted. Counts and timings only.
 * /health/queue: readiness, from the shared snapshot (read at most once per its max age, however
 * many requests come): 200 healthy, 206 degraded, 503 unhealthy. The body:
 * `{ status, components: { mongodb, redis, cache }, metrics: { queue, dlq }, performance, issues, timestamp, snapshotAt }`.
 */
export function registerHealthRoutes(app: FastifyInstance, snapshot: QueueSnapshot, worker: QueueWorker | undefined, liveness: LivenessSource): void {
  app.get('/health/worker', async (_request, reply) => {
    if (!worker) return reply.code(200).send({ status: 'ok', worker: null });
    const stats = worker.getStats();
    const msSinceProgress = Date.now() - liveness.lastProgressAt();
    const status = !stats.isRunning ? 'stopped' : msSinceProgress > liveness.stallMs ? 'stuck' : 'ok';
    return reply.code(status === 'ok' ? 200 : 503).send({
      status,
      isRunning: stats.isRunning,
      paused: stats.paused,
      msSinceProgress,
      stallMs: liveness.stallMs,
      uptimeMs: stats.uptime,
      concurrency: stats.concurrency,
      activeJobs: stats.currentJobs.length,
      processedJobs: stats.processedJobs,
      failedJobs: stats.failedJobs,
    });
  });

  app.get('/health/queue', async (_request, reply) => {
    const { health, queue, dlq, readAt } = await snapshot.read();
    const snapshotAt = new Date(readAt).toISOString();
    if (!health) {
      return reply.code(503).send({
        status: 'unhealthy',
        components: null,
        metrics: { queue: null, dlq: null },
        issues: ['the health check did not answer in time'],
        timestamp: new Date().toISOString(),
        snapshotAt,
      });
    }
    return reply.code(STATUS_BY_HEALTH[health.overall]).send({
      status: health.overall,
      components: { mongodb: health.mongodb, redis: health.redis, cache: health.cache },
      metrics: { queue: queue ?? null, dlq: dlq ?? null },
      performance: health.performance,
      issues: health.issues,
      timestamp: new Date().toISOString(),
      snapshotAt,
    });
  });
}
