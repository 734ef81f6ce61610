import type { FastifyInstance } from 'fastify';
import { JobStatus } from '../domain/job-status';
import type { QueueManager } from '../manager/queue-manager';
import type { JobDocument } from '../storage/job-store';
import { adminRoute, errorBody, parseInput, sendTransitionMiss } from './admin-route-kit';
import { cancelBody, jobIdParams, jobListQuery, rescheduleBody } from './admin-schemas';
import { encodeJobCursor, jobListCriteria } from './job-list-filter';

/** Puts a job that just became pending into its Redis batch, so it starts without waiting for the loader. */
async function offerIfPending(manager: QueueManager, job: JobDocument): Promise<void> {
  if (job.status !== JobStatus.Pending) return;
  await manager.lifecycle.offer([{ jobId: job.jobId, priority: job.priority, band: job.band, orderKey: job.orderKey }]);
}

/** /admin/stats and /admin/jobs…: inspect jobs, cancel, reschedule and retry them. */
export function registerAdminJobRoutes(app: FastifyInstance, manager: QueueManager): void {
  const notFound = (jobId: string) => errorBody('JOB_NOT_FOUND', `No job with jobId "${jobId}"`);

  app.get('/admin/stats', adminRoute(async () => {
    const [queue, dlq] = await Promise.all([manager.getQueueStats(), manager.getDLQStats()]);
    return { queue, dlq };
  }));

  app.get('/admin/jobs', adminRoute(async ({ query }) => {
    const q = parseInput(jobListQuery, query);
    const items = await manager.jobRepository.list(jobListCriteria(q));
    const last = items.at(-1);
    return { items, limit: q.limit, skip: q.skip, nextCursor: items.length === q.limit && last ? encodeJobCursor(last) : null };
  }));

  app.get('/admin/jobs/:jobId', adminRoute(async ({ params }, reply) => {
    const { jobId } = parseInput(jobIdParams, params);
    const job = await manager.jobRepository.findByJobId(jobId);
    return job ?? reply.code(404).send(notFound(jobId));
  }));

  // Retry means: a dead job is reprocessed from its DLQ entry; a job waiting out its retry
  // backoff runs now. Anything else (running, finished, never tried) is a 409.
  app.post('/admin/jobs/:jobId/retry', adminRoute(async ({ params, actor }, reply) => {
    const requestedAt = new Date();
    const { jobId } = parseInput(jobIdParams, params);
    const job = await manager.jobRepository.findByJobId(jobId);
    if (!job) return reply.code(404).send(notFound(jobId));
    if (job.status === JobStatus.Dead) {
      const entry = await manager.findDLQEntryByJobId(jobId);
      // The newest entry of a reused jobId may be an earlier job's: only this job's own counts.
      if (!entry || (entry.jobRef !== undefined && !entry.jobRef.equals(job._id))) {
        return reply.code(409).send(errorBody('INVALID_STATE', `Job ${jobId} is dead but has no dead-letter entry yet (dlq.autoMove off, or the sweeper has not repaired it)`));
      }
      const result = await manager.reprocessDLQEntry(String(entry._id), actor, undefined, { requestedAt });
      return { action: 'reprocessed', dlqEntryId: String(entry._id), newJobId: result.newJobId, reprocessCount: result.entry.reprocessCount };
    }
    if (job.status === JobStatus.Scheduled && job.attempts > 0) {
      const moved = await manager.jobRepository.rescheduleJob(jobId, new Date(), actor);
      if (!moved.ok) return sendTransitionMiss(reply, jobId, 'retried', moved.reason);
      await offerIfPending(manager, moved.value);
      return { action: 'run_now', job: moved.value };
    }
    return reply.code(409).send(errorBody('INVALID_STATE', `Job ${jobId} is ${job.status} after ${job.attempts} attempt(s): only dead jobs and jobs waiting for a retry can be retried`));
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
    const outcome = await manager.jobRepository.rescheduleJob(jobId, runAt, actor);
    if (!outcome.ok) return sendTransitionMiss(reply, jobId, 'rescheduled', outcome.reason);
    await offerIfPending(manager, outcome.value);
    return { job: outcome.value };
  }));
}
