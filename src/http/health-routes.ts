import type { FastifyInstance } from 'fastify';
import type { QueueManager } from '../manager/queue-manager';
import { readWithin } from '../metrics/bounded-read';
import type { QueueWorker } from '../worker/queue-worker';

const STATUS_BY_HEALTH = { healthy: 200, degraded: 206, unhealthy: 503 } as const;
/** checkHealth probes each component with its own 1 s limit (MongoDB reads after its ping); this bounds the whole answer. */
const HEALTH_DEADLINE_MS = 3_000;
/** Queue and DLQ stats are aggregations: allowed a little longer than a ping. */
const STATS_DEADLINE_MS = 2_000;

export interface LivenessSource {
  /** No progress for this long and the worker counts as stuck. */
  stallMs: number;
  /** Epoch ms of the worker's last sign of progress. */
  lastProgressAt: () => number;
}

/**
 * /health/worker: liveness, from the worker's own progress (no database round trip), so a
 * process whose loop stopped turning gets restarted.
 * /health/queue: readiness, from checkHealth(): 200 healthy, 206 degraded, 503 unhealthy. The body:
 * `{ status, components: { mongodb, redis, cache }, metrics: { queue, dlq }, performance, issues, timestamp }`.
 */
export function registerHealthRoutes(app: FastifyInstance, manager: QueueManager, worker: QueueWorker | undefined, liveness: LivenessSource): void {
  app.get('/health/worker', async (_request, reply) => {
    if (!worker) return reply.code(200).send({ status: 'ok', worker: null });
    const stats = worker.getStats();
    const msSinceProgress = Date.now() - liveness.lastProgressAt();
    const status = !stats.isRunning ? 'stopped' : msSinceProgress > liveness.stallMs ? 'stuck' : 'ok';
    return reply.code(status === 'ok' ? 200 : 503).send({
      status,
      workerId: stats.workerId,
      isRunning: stats.isRunning,
      msSinceProgress,
      stallMs: liveness.stallMs,
      currentJobs: stats.currentJobs,
      processedJobs: stats.processedJobs,
      failedJobs: stats.failedJobs,
    });
  });

  app.get('/health/queue', async (_request, reply) => {
    const health = await readWithin(() => manager.checkHealth(), HEALTH_DEADLINE_MS);
    if (!health) {
      return reply.code(503).send({
        status: 'unhealthy',
        components: null,
        metrics: { queue: null, dlq: null },
        issues: ['the health check did not answer in time'],
        timestamp: new Date().toISOString(),
      });
    }
    const mongoUp = health.mongodb.status === 'connected';
    // Without MongoDB the stats cannot be read: skip them rather than wait for a timeout.
    const [queue, dlq] = mongoUp
      ? await Promise.all([readWithin(() => manager.getQueueStats(), STATS_DEADLINE_MS), readWithin(() => manager.getDLQStats(), STATS_DEADLINE_MS)])
      : [undefined, undefined];
    return reply.code(STATUS_BY_HEALTH[health.overall]).send({
      status: health.overall,
      components: { mongodb: health.mongodb, redis: health.redis, cache: health.cache },
      metrics: { queue: queue ?? null, dlq: dlq ?? null },
      performance: health.performance,
      issues: health.issues,
      timestamp: new Date().toISOString(),
    });
  });
}
