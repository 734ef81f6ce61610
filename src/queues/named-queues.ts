import type { Logger } from 'pino';
import type { QueueManager } from '../manager/queue-manager';
import { migratePluginConfig } from './config-migration';
import { queueNameSchema } from './enqueue-options';
import { InvalidJobOptionsError } from '../errors';
import type { BackendQueue, Queue, RecurringJobInfo } from './queue-api';
import type { PluginContext, QueuePlugin, StoredPluginConfig } from './queue-plugin';
import { QueuePluginRegistry } from './plugin-registry';
import { QueueProxy } from './queue-proxy';

export interface NamedQueuesOptions {
  plugins: QueuePluginRegistry;
  logger: Logger;
  /** The backend used until setActiveBackend chooses another. */
  initial: { pluginId: string; config?: StoredPluginConfig };
  /** The engine manager, for backends on MongoDB and Redis. */
  host?: QueueManager;
}

interface ActiveBackend {
  plugin: QueuePlugin;
  config: unknown;
  context: PluginContext;
}

/**
 * The named queues of one application: stable Queue proxies by name, on one active backend
 * at a time. Switching backends moves every queue (and what was set up on it) to the new one.
 */
export class NamedQueues {
  readonly plugins: QueuePluginRegistry;
  private readonly queues = new Map<string, QueueProxy<unknown>>();
  private active: ActiveBackend;
  private polling = true;
  /** The latest backend switch (shutdown waits for it). */
  private switching: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: NamedQueuesOptions) {
    this.plugins = options.plugins;
    this.logger = options.logger.child({ component: 'named-queues' });
    this.active = this.prepare(options.initial.pluginId, options.initial.config);
  }

  getActivePlugin(): QueuePlugin {
    return this.active.plugin;
  }

  /** The queue of this name: the same object on every call, across backend switches. */
  getQueue<T>(name: string): Queue<T> {
    const parsed = queueNameSchema.safeParse(name);
    if (!parsed.success) throw new InvalidJobOptionsError([`queue name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}`]);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new QueueProxy<unknown>(name, this.create(name, this.active));
      this.queues.set(name, queue);
    }
    return queue as unknown as Queue<T>;
  }

  /**
   * Moves every queue to another backend. The config is brought from the version it was stored
   * at to the plugin's current one and validated before anything changes.
   */
  async setActiveBackend(pluginId: string, config?: StoredPluginConfig, graceMs?: number): Promise<void> {
    const next = this.prepare(pluginId, config);
    const previous = this.active;
    this.active = next;
    // Every queue starts holding new operations now; each switch waits for the one before it.
    const switches = [...this.queues].map(([name, queue]) => queue.switchTo(() => this.create(name, next), this.polling, graceMs));
    const run = Promise.all(switches).then(async () => {
      await previous.plugin.dispose?.(previous.context);
      this.logger.info({ from: previous.plugin.id, to: next.plugin.id }, 'queue backend switched');
    });
    this.switching = run.catch(() => undefined);
    await run;
  }

  startPolling(): void {
    this.polling = true;
    for (const queue of this.queues.values()) queue.setPolling(true);
  }

  stopPolling(): void {
    this.polling = false;
    for (const queue of this.queues.values()) queue.setPolling(false);
  }

  getInFlightJobCount(): number {
    return [...this.queues.values()].reduce((n, q) => n + q.getInFlightCount(), 0);
  }

  /** Recurring schedules of every queue this process has opened. */
  async listAllRecurringJobs(): Promise<RecurringJobInfo[]> {
    const lists = await Promise.all([...this.queues.values()].map((q) => q.listRecurringJobs()));
    return lists.flat().sort((a, b) => a.queue.localeCompare(b.queue) || a.jobId.localeCompare(b.jobId));
  }

  /** Stops every queue (in-flight jobs finish within graceMs) and releases the backend. */
  async shutdown(graceMs?: number): Promise<void> {
    await this.switching;
    await Promise.all([...this.queues.values()].map((q) => q.stop(graceMs)));
    this.queues.clear();
    await this.active.plugin.dispose?.(this.active.context);
  }

  private prepare(pluginId: string, stored?: StoredPluginConfig): ActiveBackend {
    const plugin = this.plugins.getPlugin(pluginId);
    const config = migratePluginConfig(plugin, stored);
    return { plugin, config, context: { logger: this.options.logger, shared: new Map(), host: this.options.host } };
  }

  private create(name: string, backend: ActiveBackend): BackendQueue<unknown> {
    const queue = backend.plugin.createQueue<unknown>(name, backend.config, backend.context);
    queue.setPolling(this.polling);
    return queue;
  }
}
