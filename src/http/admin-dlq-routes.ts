import type { FastifyInstance } from 'fastify';
import { QueueError } from '../errors';
import type { QueueManager } from '../manager/queue-manager';
import type { DlqDocument } from '../storage/dlq-store';
import { adminRoute, errorBody, parseInput } from './admin-route-kit';
import { bulkReprocessBody, dlqIdParams, dlqListQuery, reprocessBody, reviewBody } from './admin-schemas';
import { planReprocess } from './dlq-reprocess-plan';

/** /admin/dlq…: list, inspect, review and reprocess dead-letter entries. */
export function registerAdminDlqRoutes(app: FastifyInstance, manager: QueueManager): void {
  const notFound = (id: string) => errorBody('DLQ_ENTRY_NOT_FOUND', `No dead-letter entry with id or jobId "${id}"`);
  // An entry is addressed by its _id or by the dead job's jobId; resolving it here first means a
  // jobId that happens to look like an ObjectId is still found.
  const findEntry = async (id: string): Promise<DlqDocument | null> =>
    (await manager.dlqRepository.findById(id)) ?? (await manager.dlqRepository.findByJobId(id));

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
    // One at a time: each reprocess is two writes, and a failure of one must not stop the others.
    const results = [];
    for (const item of plan) {
      if (item.action === 'skip') {
        results.push(item);
        continue;
      }
      try {
        const done = await manager.reprocessDLQEntry(item.entryId, actor, b.corrections, { requestedAt });
        results.push({ ...item, newJobId: done.newJobId });
      } catch (error) {
        if (!(error instanceof QueueError)) throw error;
        results.push({ entryId: item.entryId, jobId: item.jobId, type: item.type, action: 'failed' as const, why: `${error.code}: ${error.message}` });
      }
    }
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
