import type { Logger } from 'pino';
import type { AdminToken } from '../config/environment';
import type { QueueManager } from '../manager/queue-manager';
import type { QueueWorker } from '../worker/queue-worker';

/** What every dashboard route reads and acts through: the same manager the admin API uses. */
export interface DashboardDeps {
  manager: QueueManager;
  tokens: readonly AdminToken[];
  logger: Logger;
  /** The worker of this process, when the dashboard is served by one. */
  worker?: QueueWorker;
}
