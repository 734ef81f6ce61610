import type { Logger } from 'pino';
import { migratePluginConfig } from './config-migration';
import { queueNameSchema } from './enqueue-options';
import { InvalidJobOptionsError } from '../errors';
import type { NamedQueue, Queue, RecurringJobDetails } from '../queue-api/queue-api';
import type { PluginContext, QueuePlugin } from '../queue-api/queue-plugin';
import { QueuePluginRegistry } from '../queue-api/plugin-registry';
import { offers } from './queue-capabilities';
import { QueueProxy } from './queue-proxy';

export interface NamedQueuesOptions {
  plugins: QueuePluginRegistry;
  logger: Logger;
  /** The backend used until setActiveBackend chooses another. */
  initial: { pluginId: string; config?: unknown };
  /** Lent to backends as PluginContext.host (the engine backend's EngineHost). */
  host?: unknown;
}

interface ActiveBackend {
  plugin: QueuePlugin<unknown>;
  config: unknown;
  context: PluginContext;
}

/** Bounds of startPolling's interval. */
const POLL_INTERVAL_MS = { min: 10, max: 60_000 } as const;

/**
 * The named queues of one application: stable QueueProxy objects by name, on one active backend
 * at a time. Switching backends moves every queue (and what was set up on it) to the new one.
 */
export class NamedQueues {
  readonly plugins: QueuePluginRegistry;
  private readonly queues = new Map<string, QueueProxy<unknown>>();
  private active: ActiveBackend;
  private polling = true;
  private pollIntervalMs: number | undefined;
  /** The latest backend switch (shutdown waits for it). */
  private switching: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: NamedQueuesOptions) {
    this.plugins = options.plugins;
    this.logger = options.logger.child({ component: 'named-queues' });
    this.active = this.prepare(options.initial.pluginId, options.initial.config);
  }

  /** Names of the queues this process opened with getQueue, sorted. */
  names(): string[] {
    return [...this.queues.keys()].sort();
  }

  /** The id of the backend the queues run on. */
  getActivePlugin(): string {
    return this.active.plugin.id;
  }

  /** The queue of this name: the same object on every call, across backend switches. */
  getQueue<T>(name: string): NamedQueue<T> {
    const parsed = queueNameSchema.safeParse(name);
    if (!parsed.success) throw new InvalidJobOptionsError([`queue name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}`]);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new QueueProxy<unknown>(name, this.create(name, this.active), {
        pluginId: this.active.plugin.id,
        logger: this.logger,
        polling: this.polling,
        pollIntervalMs: this.pollIntervalMs,
      });
      this.queues.set(name, queue);
    }
    return queue as unknown as NamedQueue<T>;
  }

  /**
   * Moves every queue to another backend. The config is brought from the version it was stored
   * at to the plugin's current one and validated, and every queue is checked to fit the new
   * backend, before anything changes.
   */
  async setActiveBackend(pluginId: string, config: unknown, graceMs?: number): Promise<void> {
    const next = this.prepare(pluginId, config);
    const created = [...this.queues].map(([name, queue]) => ({ queue, delegate: this.create(name, next) }));
    try {
      for (const { queue, delegate } of created) queue.checkDelegate(delegate, next.plugin.id);
    } catch (error) {
      await Promise.allSettled(created.map(({ delegate }) => delegate.stop()));
      await next.plugin.dispose?.(next.context);
      throw error;
    }
    const previous = this.active;
    this.active = next;
    // Every queue starts holding new operations now; each switch waits for the one before it.
    const switches = created.map(({ queue, delegate }) => queue.switchDelegate(delegate, { pluginId: next.plugin.id, graceMs }));
    const run = Promise.all(switches).then(async () => {
      await previous.plugin.dispose?.(previous.context);
      this.logger.info({ from: previous.plugin.id, to: next.plugin.id }, 'queue backend switched');
    });
    this.switching = run.catch(() => undefined);
    await run;
  }

  /**
   * Queues take jobs and fire recurring schedules in this process (the default). `intervalMs`
   * sets their poll interval (the engine backend's pollIntervalMs: schedule ticks, repairs and
   * retention, and the fallback poll of consumers started from now on).
   */
  startPolling(intervalMs?: number): void {
    if (intervalMs !== undefined && !(Number.isInteger(intervalMs) && intervalMs >= POLL_INTERVAL_MS.min && intervalMs <= POLL_INTERVAL_MS.max)) {
      throw new InvalidJobOptionsError([`startPolling: intervalMs must be an integer from ${POLL_INTERVAL_MS.min} to ${POLL_INTERVAL_MS.max}, got ${intervalMs}`]);
    }
    this.polling = true;
    this.pollIntervalMs = intervalMs ?? this.pollIntervalMs;
    for (const queue of this.queues.values()) queue.setPolling(true, intervalMs);
  }

  stopPolling(): void {
    this.polling = false;
    for (const queue of this.queues.values()) queue.setPolling(false);
  }

  /** Jobs the queues of this process are running right now. */
  async getInFlightJobCount(): Promise<number> {
    const counts = await Promise.all([...this.queues.values()].map((q) => q.getInFlightCount()));
    return counts.reduce((n, c) => n + c, 0);
  }

  /** Recurring schedules of every queue this process has opened, by queue then id. */
  async listAllRecurringJobs(): Promise<RecurringJobDetails[]> {
    const lists = await Promise.all(
      [...this.queues.values()].map(async (queue) => {
        const ids = await queue.listRecurringJobs();
        const details = await Promise.all(ids.map((id) => queue.getRecurringJobDetails(id)));
        return details.filter((d): d is RecurringJobDetails => d !== undefined);
      }),
    );
    return lists.flat().sort((a, b) => a.queue.localeCompare(b.queue) || a.jobId.localeCompare(b.jobId));
  }

  /** Stops every queue (in-flight jobs finish within graceMs) and releases the backend. */
  async shutdown(graceMs?: number): Promise<void> {
    await this.switching;
    await Promise.all([...this.queues.values()].map((q) => q.stop(graceMs)));
    this.queues.clear();
    await this.active.plugin.dispose?.(this.active.context);
  }

  private prepare(pluginId: string, stored: unknown): ActiveBackend {
    const plugin = this.plugins.require(pluginId);
    const config = migratePluginConfig(plugin, stored);
    return { plugin, config, context: { logger: this.options.logger, shared: new Map(), host: this.options.host } };
  }

  private create(name: string, backend: ActiveBackend): Queue<unknown> {
    const queue = backend.plugin.createQueue<unknown>(name, backend.config, backend.context);
    // At once: a backend must not tick while this process has polling stopped.
    if (offers(queue, 'setPolling')) queue.setPolling(this.polling, this.pollIntervalMs);
    return queue;
  }
}
