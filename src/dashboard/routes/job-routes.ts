import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { InvalidRequestInput, parseInput } from '../../http/admin-route-kit';
import { jobIdParams, jobListQuery } from '../../http/admin-schemas';
import { rescheduleJob, retryJob } from '../../http/job-actions';
import { findJobPage } from '../../http/job-list-filter';
import type { DashboardDeps } from '../dashboard-deps';
import { html } from '../html';
import { redirectAfter, sendPage, sessionOf } from '../page';
import { jobPage } from '../views/job-view';
import { jobsPage, type JobSearchForm } from '../views/jobs-view';

const PAGE_SIZE = 50;
const SEARCH_FIELDS = ['type', 'status', 'band', 'minPriority', 'maxPriority', 'createdFrom', 'createdTo', 'cursor'] as const;
/** datetime-local sends `YYYY-MM-DDTHH:MM[:SS]` without a zone: the form says UTC. */
const rescheduleForm = z.object({ runAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'a date and time'), _csrf: z.string().optional() });
const cancelForm = z.object({ reason: z.string().max(500).optional(), _csrf: z.string().optional() });

/** The search's query string as the admin API's job list takes it: empty fields left out. */
function searchQuery(raw: Record<string, string | undefined>): Record<string, string> {
  const query: Record<string, string> = { limit: String(PAGE_SIZE) };
  for (const field of SEARCH_FIELDS) if (raw[field]) query[field] = raw[field];
  return query;
}

export function registerJobRoutes(app: FastifyInstance, { manager }: DashboardDeps): void {
  const jobPath = (jobId: string) => `/dashboard/jobs/${encodeURIComponent(jobId)}`;

  app.get('/jobs', async (request, reply) => {
    const raw = request.query as Record<string, string | undefined>;
    const form: JobSearchForm = Object.fromEntries(Object.entries(raw).filter(([key]) => key !== 'cursor')) as JobSearchForm;
    if (raw.jobId) {
      const found = await manager.jobRepository.findByJobId(raw.jobId.trim());
      if (found) return reply.redirect(jobPath(found.jobId), 303);
      return sendPage(manager, request, reply, 'Jobs', 'jobs', () => jobsPage(form, [], null, [`no job with id "${raw.jobId}"`]));
    }
    try {
      const { items, nextCursor } = await findJobPage(manager, parseInput(jobListQuery, searchQuery(raw)));
      return sendPage(manager, request, reply, 'Jobs', 'jobs', () => jobsPage(form, items, nextCursor, []));
    } catch (error) {
      if (!(error instanceof InvalidRequestInput)) throw error;
      return sendPage(manager, request, reply, 'Jobs', 'jobs', () => jobsPage(form, [], null, error.problems), 400);
    }
  });

  app.get('/jobs/:jobId', async (request, reply) => {
    const { jobId } = parseInput(jobIdParams, request.params);
    const job = await manager.jobRepository.findByJobId(jobId);
    if (!job) return sendPage(manager, request, reply, 'Job not found', 'jobs', () => html`<p class="notice error">No job with id <code>${jobId}</code>.</p>`, 404);
    const { notice, error } = request.query as { notice?: string; error?: string };
    return sendPage(manager, request, reply, `Job ${job.jobId}`, 'jobs', (ctx) => jobPage(ctx, job, notice, error ? `The action was refused: ${error}` : undefined));
  });

  const refused = (jobId: string, why: string) => `${jobPath(jobId)}?${new URLSearchParams({ error: why }).toString()}`;

  app.post('/jobs/:jobId/cancel', async (request, reply) => {
    const { jobId } = parseInput(jobIdParams, request.params);
    const { reason } = parseInput(cancelForm, request.body);
    const actor = sessionOf(request).actor;
    const outcome = await manager.cancelJob(jobId, actor, reason || `cancelled by ${actor}`);
    return outcome.ok ? redirectAfter(reply, jobPath(jobId), 'cancelled') : reply.redirect(refused(jobId, outcome.reason), 303);
  });

  app.post('/jobs/:jobId/reschedule', async (request, reply) => {
    const { jobId } = parseInput(jobIdParams, request.params);
    const { runAt } = parseInput(rescheduleForm, request.body);
    const at = new Date(`${runAt.length === 16 ? `${runAt}:00` : runAt}Z`);
    const outcome = await rescheduleJob(manager, jobId, at, sessionOf(request).actor);
    return outcome.ok ? redirectAfter(reply, jobPath(jobId), 'rescheduled') : reply.redirect(refused(jobId, outcome.reason), 303);
  });

  app.post('/jobs/:jobId/run-now', async (request, reply) => {
    const { jobId } = parseInput(jobIdParams, request.params);
    const outcome = await rescheduleJob(manager, jobId, new Date(), sessionOf(request).actor);
    return outcome.ok ? redirectAfter(reply, jobPath(jobId), 'run_now') : reply.redirect(refused(jobId, outcome.reason), 303);
  });

  app.post('/jobs/:jobId/retry', async (request, reply) => {
    const requestedAt = new Date();
    const { jobId } = parseInput(jobIdParams, request.params);
    const outcome = await retryJob(manager, jobId, sessionOf(request).actor, requestedAt);
    switch (outcome.action) {
      case 'reprocessed':
        return redirectAfter(reply, jobPath(outcome.newJobId), 'reprocessed');
      case 'run_now':
        return redirectAfter(reply, jobPath(jobId), 'run_now');
      case 'not_found':
        return reply.redirect(refused(jobId, 'not found'), 303);
      case 'refused':
        return reply.redirect(refused(jobId, outcome.message), 303);
      case 'missed':
        return reply.redirect(refused(jobId, outcome.reason), 303);
    }
  });
}
