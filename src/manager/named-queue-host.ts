import type { NamedQueue, RecurringJobDetails } from '../queue-api/queue-api';

/** The named queues a QueueManager hosts (the composition root gives it one; see NamedQueues). */
export interface NamedQueueHost {
  getQueue<T>(name: string): NamedQueue<T>;
  /** Names of the queues opened in this process with getQueue, sorted. */
  names(): string[];
  getActivePlugin(): string;
  setActiveBackend(pluginId: string, config: unknown, graceMs?: number): Promise<void>;
  startPolling(intervalMs?: number): void;
  stopPolling(): void;
  getInFlightJobCount(): Promise<number>;
  listAllRecurringJobs(): Promise<RecurringJobDetails[]>;
  shutdown(graceMs?: number): Promise<void>;
}
