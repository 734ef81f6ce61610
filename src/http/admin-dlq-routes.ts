import type { FastifyInstance } from 'fastify';
import type { QueueManager } from '../manager/queue-manager';
import { adminRoute, errorBody, parseInput } from './admin-route-kit';
import { bulkReprocessBody, dlqIdParams, dlqListQuery, reprocessBody, reviewBody } from './admin-schemas';
import { findDlqEntry } from './dlq-entry-lookup';
import { planReprocess, runReprocessPlan } from './dlq-reprocess-plan';

/** /admin/dlq…: list, inspect, review and reprocess dead-letter entries. */
export function registerAdminDlqRoutes(app: FastifyInstance, manager: QueueManager): void {
  const notFound = (id: string) => errorBody('DLQ_ENTRY_NOT_FOUND', `No dead-letter entry with id or jobId "${id}"`);
  const findEntry = (id: string) => findDlqEntry(manager, id);

  app.get('/admin/dlq', adminRoute(async ({ query }) => {
    const q = parseInput(dlqListQuery, query);
    const items = await manager.dlqRepository.list({ jobId: q.jobId, severity: q.severity, type: q.type, failureReason: q.reason, reviewed: q.reviewed, limit: q.limit, skip: q.skip });
    return { items, limit: q.limit, skip: q.skip };
  }));

  app.get('/admin/dlq/stats', adminRoute(async () => manager.getDLQStats()));

  app.post('/admin/dlq/reprocess', adminRoute(async ({ body, actor }) => {
    const requestedAt = new Date();
    const b = parseInput(bulkReprocessBody, body);
    const entries = await manager.dlqRepository.list({ severity: b.severity, type: b.type, failureReason: b.reason, reviewed: b.reviewed, limit: b.limit });
    const plan = planReprocess(manager, entries, b.corrections);
    if (b.dryRun) return { dryRun: true, matched: entries.length, plan };
    const results = await runReprocessPlan(manager, plan, actor, b.corrections, { requestedAt });
    return { dryRun: false, matched: entries.length, results };
  }));

  app.get('/admin/dlq/:id', adminRoute(async ({ params }, reply) => {
    const { id } = parseInput(dlqIdParams, params);
    return (await findEntry(id)) ?? reply.code(404).send(notFound(id));
  }));

  app.post('/admin/dlq/:id/reprocess', adminRoute(async ({ params, body, actor }, reply) => {
    // Taken before the entry is read: a reprocess another admin gets recorded meanwhile refuses this one (409).
    const requestedAt = new Date();
    const { id } = parseInput(dlqIdParams, params);
    const { corrections } = parseInput(reprocessBody, body);
    const entry = await findEntry(id);
    if (!entry) return reply.code(404).send(notFound(id));
    const result = await manager.reprocessDLQEntry(String(entry._id), actor, corrections, { requestedAt });
    return { entryId: String(entry._id), newJobId: result.newJobId, dataBefore: result.dataBefore, dataAfter: result.dataAfter, reprocessCount: result.entry.reprocessCount };
  }));

  app.post('/admin/dlq/:id/review', adminRoute(async ({ params, body, actor }, reply) => {
    const { id } = parseInput(dlqIdParams, params);
    const { note } = parseInput(reviewBody, body);
    const entry = await findEntry(id);
    if (!entry) return reply.code(404).send(notFound(id));
    return manager.markDLQAsReviewed(String(entry._id), actor, note);
  }));
}
