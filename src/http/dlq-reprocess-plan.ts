import { QueueError } from '../errors';
import { buildReprocessRecord } from '../manager/dlq-service';
import type { QueueManager } from '../manager/queue-manager';
import { withEntryId } from '../storage/dlq-repository';
import type { DlqDocument } from '../storage/dlq-store';

/** What a bulk reprocess would do with one entry: the dry run shows these, the real run executes them. */
export type ReprocessPlanItem =
  | { entryId: string; jobId: string; type: string; action: 'reprocess'; newJobId: string; dataBefore: unknown; dataAfter: unknown }
  | { entryId: string; jobId: string; type: string; action: 'skip'; why: string };

/**
 * Checks each entry the way reprocessDLQEntry will (limit, known type, corrected data against the
 * type's schema, corrected options as addJob checks them) without writing anything.
 */
export function planReprocess(manager: QueueManager, entries: readonly DlqDocument[], corrections?: Record<string, unknown>): ReprocessPlanItem[] {
  const limit = manager.config.dlq.maxReprocessAttempts;
  const now = new Date();
  return entries.map((entry) => {
    const base = { entryId: String(entry._id), jobId: entry.jobId, type: entry.type };
    if (entry.reprocessCount >= limit) return { ...base, action: 'skip', why: `reprocessed ${entry.reprocessCount} times already (limit ${limit})` };
    if (!manager.registry.has(entry.type)) return { ...base, action: 'skip', why: `job type "${entry.type}" is not registered in this process` };
    try {
      const { record, dataAfter } = buildReprocessRecord(withEntryId({ ...entry }), 'plan', corrections, manager.registry, manager.config, now);
      return { ...base, action: 'reprocess', newJobId: record.jobId, dataBefore: entry.data, dataAfter };
    } catch (error) {
      return { ...base, action: 'skip', why: (error as Error).message };
    }
  });
}

export type ReprocessRunItem =
  | (Extract<ReprocessPlanItem, { action: 'reprocess' }> & { newJobId: string })
  | Extract<ReprocessPlanItem, { action: 'skip' }>
  | { entryId: string; jobId: string; type: string; action: 'failed'; why: string };

export interface ReprocessRunOptions {
  /** When the admin asked: a reprocess recorded since then was another admin's, and wins. */
  requestedAt: Date;
  /** At most this many reprocesses per second (default: unpaced). */
  perSecond?: number;
}

/**
 * Executes a plan one entry at a time: each reprocess is two writes, and a failure of one must
 * not stop the others. With `perSecond`, the new jobs reach the queue at that pace at most.
 */
export async function runReprocessPlan(manager: QueueManager, plan: readonly ReprocessPlanItem[], actor: string, corrections: Record<string, unknown> | undefined, options: ReprocessRunOptions): Promise<ReprocessRunItem[]> {
  const results: ReprocessRunItem[] = [];
  const spacingMs = options.perSecond ? 1000 / options.perSecond : 0;
  let next = Date.now();
  for (const item of plan) {
    if (item.action === 'skip') {
      results.push(item);
      continue;
    }
    const wait = next - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    next = Math.max(next, Date.now()) + spacingMs;
    try {
      const done = await manager.reprocessDLQEntry(item.entryId, actor, corrections, { requestedAt: options.requestedAt });
      results.push({ ...item, newJobId: done.newJobId });
    } catch (error) {
      if (!(error instanceof QueueError)) throw error;
      results.push({ entryId: item.entryId, jobId: item.jobId, type: item.type, action: 'failed', why: `${error.code}: ${error.message}` });
    }
  }
  return results;
}
