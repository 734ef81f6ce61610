import type { NamedQueue, RecurringJobDetails } from '../queue-api/queue-api';
import type { NamedQueueHost } from './named-queue-host';

/** The named-queue half of QueueManager's API: each call goes to the named queues the manager hosts. */
export abstract class NamedQueueFacade {
  /** The manager's named queues (throws NotStartedError before start()). */
  protected abstract namedQueues(): NamedQueueHost;
  protected abstract namedQueuesIfStarted(): NamedQueueHost | undefined;

  /** The named queue `name` (enqueue, consume with consumer groups, recurring schedules); the same object on every call. Start first. */
  getQueue<T>(name: string): NamedQueue<T> {
    return this.namedQueues().getQueue<T>(name);
  }

  /** Names of the named queues this process opened (getQueue), sorted; opens nothing itself. */
  getNamedQueueNames(): string[] {
    return this.namedQueuesIfStarted()?.names() ?? [];
  }

  /** The id of the backend named queues run on (`engine` until setActiveBackend chooses another). */
  getActivePlugin(): string {
    return this.namedQueues().getActivePlugin();
  }

  /** Moves every named queue to another backend (the config is migrated from its stored version, then validated). */
  async setActiveBackend(pluginId: string, config: unknown, graceMs?: number): Promise<void> {
    await this.namedQueues().setActiveBackend(pluginId, config, graceMs);
  }

  /** Named queues take jobs and fire recurring schedules in this process (the default); `intervalMs` 10–60000. */
  startPolling(intervalMs?: number): void {
    this.namedQueues().startPolling(intervalMs);
  }

  /** Named queues stop taking jobs and firing schedules in this process; running jobs finish. */
  stopPolling(): void {
    this.namedQueues().stopPolling();
  }

  /** Jobs the named queues of this process are running right now. */
  async getInFlightJobCount(): Promise<number> {
    return (await this.namedQueuesIfStarted()?.getInFlightJobCount()) ?? 0;
  }

  async listAllRecurringJobs(): Promise<RecurringJobDetails[]> {
    return this.namedQueues().listAllRecurringJobs();
  }
}
