import { mergeCorrections } from '../manager/dlq-service';
import type { QueueManager } from '../manager/queue-manager';
import type { DlqDocument } from '../storage/dlq-store';

/** What a bulk reprocess would do with one entry: the dry run shows these, the real run executes them. */
export type ReprocessPlanItem =
  | { entryId: string; jobId: string; type: string; action: 'reprocess'; newJobId: string; dataBefore: unknown; dataAfter: unknown }
  | { entryId: string; jobId: string; type: string; action: 'skip'; why: string };

/**
 * Checks each entry the way reprocessDLQEntry will (limit, known type, corrected data against the
 * type's schema) without writing anything.
 */
export function planReprocess(manager: QueueManager, entries: readonly DlqDocument[], corrections?: Record<string, unknown>): ReprocessPlanItem[] {
  const limit = manager.config.dlq.maxReprocessAttempts;
  return entries.map((entry) => {
    const base = { entryId: String(entry._id), jobId: entry.jobId, type: entry.type };
    if (entry.reprocessCount >= limit) return { ...base, action: 'skip', why: `reprocessed ${entry.reprocessCount} times already (limit ${limit})` };
    if (!manager.registry.has(entry.type)) return { ...base, action: 'skip', why: `job type "${entry.type}" is not registered in this process` };
    let dataAfter: unknown;
    try {
      dataAfter = corrections ? mergeCorrections(entry.data, corrections) : entry.data;
    } catch (error) {
      return { ...base, action: 'skip', why: (error as Error).message };
    }
    const parsed = manager.registry.get(entry.type).schema.safeParse(dataAfter);
    if (!parsed.success) return { ...base, action: 'skip', why: `data invalid for ${entry.type}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    return { ...base, action: 'reprocess', newJobId: `${entry.jobId}:reprocess:${entry.reprocessCount + 1}`, dataBefore: entry.data, dataAfter };
  });
}
