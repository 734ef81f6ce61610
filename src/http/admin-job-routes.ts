import type { FastifyInstance } from 'fastify';
import type { QueueManager } from '../manager/queue-manager';
import { adminRoute, errorBody, parseInput, sendTransitionMiss } from './admin-route-kit';
import { cancelBody, jobIdParams, jobListQuery, rescheduleBody } from './admin-schemas';
import { rescheduleJob, retryJob } from './job-actions';
import { findJobPage } from './job-list-filter';

/** /admin/stats and /admin/jobs…: inspect jobs, cancel, reschedule and retry them. */
export function registerAdminJobRoutes(app: FastifyInstance, manager: QueueManager): void {
  const notFound = (jobId: string) => errorBody('JOB_NOT_FOUND', `No job with jobId "${jobId}"`);

  app.get('/admin/stats', adminRoute(async () => {
    const [queue, dlq] = await Promise.all([manager.getQueueStats(), manager.getDLQStats()]);
    return { queue, dlq };
  }));

  app.get('/admin/jobs', adminRoute(async ({ query }) => {
    const q = parseInput(jobListQuery, query);
    const { items, nextCursor } = await findJobPage(manager, q);
    return { items, limit: q.limit, skip: q.skip, nextCursor };
  }));

  app.get('/admin/jobs/:jobId', adminRoute(async ({ params }, reply) => {
    const { jobId } = parseInput(jobIdParams, params);
    const job = await manager.jobRepository.findByJobId(jobId);
    return job ?? reply.code(404).send(notFound(jobId));
  }));

  app.post('/admin/jobs/:jobId/retry', adminRoute(async ({ params, actor }, reply) => {
    const requestedAt = new Date();
    const { jobId } = parseInput(jobIdParams, params);
    const outcome = await retryJob(manager, jobId, actor, requestedAt);
    switch (outcome.action) {
      case 'not_found':
        return reply.code(404).send(notFound(jobId));
      case 'refused':
        return reply.code(409).send(errorBody('INVALID_STATE', outcome.message));
      case 'missed':
        return sendTransitionMiss(reply, jobId, 'retried', outcome.reason);
      default:
        return outcome;
    }
  }));

  app.post('/admin/jobs/:jobId/cancel', adminRoute(async ({ params, body, actor }, reply) => {
    const { jobId } = parseInput(jobIdParams, params);
    const { reason } = parseInput(cancelBody, body);
    const outcome = await manager.cancelJob(jobId, actor, reason ?? `cancelled by ${actor}`);
    return outcome.ok ? { job: outcome.value } : sendTransitionMiss(reply, jobId, 'cancelled', outcome.reason);
  }));

  app.post('/admin/jobs/:jobId/reschedule', adminRoute(async ({ params, body, actor }, reply) => {
    const { jobId } = parseInput(jobIdParams, params);
    const { runAt } = parseInput(rescheduleBody, body);
    const outcome = await rescheduleJob(manager, jobId, runAt, actor);
    return outcome.ok ? { job: outcome.value } : sendTransitionMiss(reply, jobId, 'rescheduled', outcome.reason);
  }));
}
