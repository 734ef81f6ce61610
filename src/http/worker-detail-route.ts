import type { FastifyInstance } from 'fastify';
import type { QueueWorker } from '../worker/queue-worker';

/**
 * GET /admin/worker (behind the admin token): what /health/worker leaves out because it answers
 * anyone: the worker's identity and the ids of the jobs it runs now.
 */
export function registerWorkerDetailRoute(admin: FastifyInstance, worker: QueueWorker | undefined): void {
  admin.get('/admin/worker', async (_request, reply) => {
    if (!worker) return reply.code(404).send({ error: 'NO_WORKER', message: 'this process runs no worker (an HTTP server for a manager only)' });
    return reply.send(worker.getStats());
  });
}
