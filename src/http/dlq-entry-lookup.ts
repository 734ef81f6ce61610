import type { QueueManager } from '../manager/queue-manager';
import type { DlqEntry } from '../storage/dlq-repository';

/**
 * An entry addressed by its _id or by the dead job's jobId; trying the _id first means a jobId
 * that happens to look like an ObjectId is still found.
 */
export async function findDlqEntry(manager: QueueManager, id: string): Promise<DlqEntry | null> {
  return (await manager.dlqRepository.findById(id)) ?? (await manager.dlqRepository.findByJobId(id));
}
