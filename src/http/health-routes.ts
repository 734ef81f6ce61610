import type { FastifyInstance } from 'fastify';
import type { QueueManager } from '../manager/queue-manager';
import type { QueueWorker } from '../worker/queue-worker';

const STATUS_BY_HEALTH = { healthy: 200, degraded: 206, unhealthy: 503 } as const;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.catch(() => undefined),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * /health/worker: liveness, from the worker's own progress (no database round trip).
 * /health/queue: readiness, from checkHealth(): 200 healthy, 206 degraded, 503 unhealthy.
 */
export function registerHealthRoutes(app: FastifyInstance, manager: QueueManager, worker: QueueWorker | undefined, liveness: { stallMs: number; lastProgress: () => number }): void {
  app.get('/health/worker', async (_request, reply) => {
    if (!worker) return reply.code(200).send({ status: 'ok', worker: null });
    const stats = worker.getStats();
    const idleMs = Date.now() - liveness.lastProgress();
    const alive = stats.isRunning && idleMs <= liveness.stallMs;
    return reply.code(alive ? 200 : 503).send({
      status: alive ? 'ok' : 'stuck',
      workerId: stats.workerId,
      isRunning: stats.isRunning,
      msSinceProgress: idleMs,
      currentJobs: stats.currentJobs,
      processedJobs: stats.processedJobs,
      failedJobs: stats.failedJobs,
    });
  });

  app.get('/health/queue', async (_request, reply) => {
    const health = await manager.checkHealth();
    const up = health.mongodb.status === 'up';
    const [stats, dlq] = up ? await Promise.all([withTimeout(manager.getQueueStats(), 2000), withTimeout(manager.getDLQStats(), 2000)]) : [undefined, undefined];
    return reply.code(STATUS_BY_HEALTH[health.overall]).send({
      status: health.overall,
      timestamp: new Date().toISOString(),
      components: { mongodb: health.mongodb, redis: health.redis, cache: health.cache },
      queue: stats ?? null,
      dlq: dlq ?? null,
    });
  });
}
