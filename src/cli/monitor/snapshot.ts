import type { QueueManager } from '../../manager/queue-manager';
import { getDlqStats, listWorkers } from '../queries';
import type { MonitorSnapshot } from '../render/monitor-frame';

/** One monitor sample; the workers list is left empty while Redis is unreachable instead of failing the frame. */
export async function fetchMonitorSnapshot(manager: QueueManager): Promise<MonitorSnapshot> {
  const at = new Date();
  const [stats, dlq, workers] = await Promise.all([manager.getQueueStats(), getDlqStats(manager), listWorkers(manager).catch(() => [])]);
  return { at, stats, dlq, workers };
}
