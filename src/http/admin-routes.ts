import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { JobStatus } from '../domain/job-status';
import { QueueError } from '../errors';
import type { QueueManager } from '../manager/queue-manager';
import {
  bulkReprocessBody,
  cancelBody,
  dlqIdParams,
  dlqListQuery,
  jobIdParams,
  jobListQuery,
  reprocessBody,
  rescheduleBody,
  reviewBody,
} from './admin-schemas';

const STATUS_BY_CODE: Record<string, number> = {
  JOB_NOT_FOUND: 404,
  DLQ_ENTRY_NOT_FOUND: 404,
  REPROCESS_LIMIT_REACHED: 409,
  INVALID_STATE: 409,
};

class BadInput extends Error {
  constructor(readonly problems: string[]) {
    super('invalid input');
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw new BadInput(result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
  return result.data;
}

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  if (error instanceof BadInput) return reply.code(400).send({ error: 'INVALID_INPUT', problems: error.problems });
  if (error instanceof QueueError) return reply.code(STATUS_BY_CODE[error.code] ?? 400).send({ error: error.code, message: error.message });
  throw error;
}

/** The admin API (registered only with ADMIN_TOKENS set; every route behind the bearer guard). */
export function registerAdminRoutes(app: FastifyInstance, manager: QueueManager): void {
  const jobs = () => manager.internals.store.collection;
  const route = <T>(handler: (request: { params: unknown; query: unknown; body: unknown; actor: string }, reply: FastifyReply) => Promise<T>) =>
    async (request: { params: unknown; query: unknown; body: unknown; actor?: string }, reply: FastifyReply) => {
      try {
        return await handler({ ...request, actor: request.actor ?? 'admin' }, reply);
      } catch (error) {
        return sendError(reply, error);
      }
    };

  app.get('/admin/stats', route(async () => ({ queue: await manager.getQueueStats(), dlq: await manager.getDLQStats() })));

  app.get('/admin/jobs', route(async ({ query }) => {
    const q = parse(jobListQuery, query);
    const filter: Record<string, unknown> = { queue: manager.config.name };
    if (q.status) filter.status = q.status;
    if (q.type) filter.type = q.type;
    if (q.band) filter.band = q.band;
    if (q.minPriority !== undefined || q.maxPriority !== undefined) filter.priority = { $gte: q.minPriority ?? 0, $lte: q.maxPriority ?? 1000 };
    if (q.createdFrom || q.createdTo) filter.createdAt = { ...(q.createdFrom ? { $gte: q.createdFrom } : {}), ...(q.createdTo ? { $lte: q.createdTo } : {}) };
    const items = await jobs().find(filter, { projection: { history: 0, errors: 0 } }).sort({ createdAt: -1, _id: -1 }).skip(q.skip).limit(q.limit).toArray();
    return { items, limit: q.limit, skip: q.skip };
  }));

  app.get('/admin/jobs/:jobId', route(async ({ params }, reply) => {
    const { jobId } = parse(jobIdParams, params);
    const job = await manager.jobRepository.findByJobId(jobId);
    return job ?? reply.code(404).send({ error: 'JOB_NOT_FOUND', message: `No job with jobId "${jobId}"` });
  }));

  app.post('/admin/jobs/:jobId/retry', route(async ({ params, actor }, reply) => {
    const { jobId } = parse(jobIdParams, params);
    const job = await manager.jobRepository.findByJobId(jobId);
    if (!job) return reply.code(404).send({ error: 'JOB_NOT_FOUND', message: `No job with jobId "${jobId}"` });
    if (job.status === JobStatus.Dead) {
      const result = await manager.reprocessDLQEntry(jobId, actor);
      return { action: 'reprocessed', newJobId: result.newJobId };
    }
    if (job.status === JobStatus.Scheduled) {
      const moved = await manager.jobRepository.rescheduleJob(jobId, new Date(), actor);
      if (moved.ok) {
        await manager.lifecycle.offer([{ jobId, priority: job.priority, band: job.band, orderKey: moved.value.orderKey }]);
        return { action: 'run_now', job: moved.value };
      }
    }
    return reply.code(409).send({ error: 'INVALID_STATE', message: `Job ${jobId} is ${job.status}: only dead or scheduled jobs can be retried` });
  }));

  app.post('/admin/jobs/:jobId/cancel', route(async ({ params, body, actor }, reply) => {
    const { jobId } = parse(jobIdParams, params);
    const { reason } = parse(cancelBody, body);
    const outcome = await manager.cancelJob(jobId, actor, reason ?? `cancelled by ${actor}`);
    if (outcome.ok) return { job: outcome.value };
    return reply.code(outcome.reason === 'not_found' ? 404 : 409).send({ error: outcome.reason === 'not_found' ? 'JOB_NOT_FOUND' : 'INVALID_STATE', message: `Job ${jobId} cannot be cancelled (${outcome.reason})` });
  }));

  app.post('/admin/jobs/:jobId/reschedule', route(async ({ params, body, actor }, reply) => {
    const { jobId } = parse(jobIdParams, params);
    const { runAt } = parse(rescheduleBody, body);
    const outcome = await manager.jobRepository.rescheduleJob(jobId, runAt, actor);
    if (outcome.ok) {
      if (outcome.value.status === JobStatus.Pending) await manager.lifecycle.offer([{ jobId, priority: outcome.value.priority, band: outcome.value.band, orderKey: outcome.value.orderKey }]);
      return { job: outcome.value };
    }
    return reply.code(outcome.reason === 'not_found' ? 404 : 409).send({ error: outcome.reason === 'not_found' ? 'JOB_NOT_FOUND' : 'INVALID_STATE', message: `Job ${jobId} cannot be rescheduled (${outcome.reason})` });
  }));

  app.get('/admin/dlq', route(async ({ query }) => {
    const q = parse(dlqListQuery, query);
    return { items: await manager.dlqRepository.list({ severity: q.severity, type: q.type, failureReason: q.reason, reviewed: q.reviewed, limit: q.limit, skip: q.skip }), limit: q.limit, skip: q.skip };
  }));

  app.get('/admin/dlq/stats', route(async () => manager.getDLQStats()));

  app.post('/admin/dlq/reprocess', route(async ({ body, actor }) => {
    const b = parse(bulkReprocessBody, body);
    const entries = await manager.dlqRepository.list({ severity: b.severity, type: b.type, failureReason: b.reason, reviewed: b.reviewed, limit: b.limit });
    const limitReached = entries.filter((e) => e.reprocessCount >= manager.config.dlq.maxReprocessAttempts);
    const eligible = entries.filter((e) => e.reprocessCount < manager.config.dlq.maxReprocessAttempts);
    if (b.dryRun) return { dryRun: true, matched: entries.length, wouldReprocess: eligible.map((e) => e.jobId), skippedAtLimit: limitReached.map((e) => e.jobId) };
    const results: Array<{ jobId: string; newJobId?: string; error?: string }> = [];
    for (const entry of eligible) {
      try {
        results.push({ jobId: entry.jobId, newJobId: (await manager.reprocessDLQEntry(String(entry._id), actor, b.corrections)).newJobId });
      } catch (error) {
        results.push({ jobId: entry.jobId, error: error instanceof QueueError ? `${error.code}: ${error.message}` : String(error) });
      }
    }
    return { dryRun: false, matched: entries.length, results, skippedAtLimit: limitReached.map((e) => e.jobId) };
  }));

  app.get('/admin/dlq/:id', route(async ({ params }, reply) => {
    const { id } = parse(dlqIdParams, params);
    const entry = (await manager.dlqRepository.findById(id)) ?? (await manager.dlqRepository.findByJobId(id));
    return entry ?? reply.code(404).send({ error: 'DLQ_ENTRY_NOT_FOUND', message: `No dead-letter entry with id "${id}"` });
  }));

  app.post('/admin/dlq/:id/reprocess', route(async ({ params, body, actor }) => {
    const { id } = parse(dlqIdParams, params);
    const { corrections } = parse(reprocessBody, body);
    const result = await manager.reprocessDLQEntry(id, actor, corrections);
    return { newJobId: result.newJobId, dataBefore: result.dataBefore, dataAfter: result.dataAfter, reprocessCount: result.entry.reprocessCount };
  }));

  app.post('/admin/dlq/:id/review', route(async ({ params, body, actor }) => {
    const { id } = parse(dlqIdParams, params);
    const { note } = parse(reviewBody, body);
    return manager.markDLQAsReviewed(id, actor, note);
  }));
}
