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
