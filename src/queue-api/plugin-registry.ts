import { QueueError } from '../errors';
import type { QueuePlugin } from './queue-plugin';

export class UnknownQueuePluginError extends QueueError {
  constructor(readonly pluginId: string, known: readonly string[]) {
    super('UNKNOWN_QUEUE_PLUGIN', `Unknown queue backend "${pluginId}"; registered: ${known.join(', ') || '(none)'}`, { pluginId, known: [...known] });
  }
}

export class DuplicateQueuePluginError extends QueueError {
  constructor(readonly pluginId: string) {
    super('DUPLICATE_QUEUE_PLUGIN', `A queue backend with id "${pluginId}" is already registered`, { pluginId });
  }
}

/** The backends a manager can switch between, by id. */
export class QueuePluginRegistry {
  private readonly plugins = new Map<string, QueuePlugin<unknown>>();

  /** Registers a backend (again with the same object: no change); returns the registry for chaining. */
  register(plugin: QueuePlugin<unknown>): this {
    const existing = this.plugins.get(plugin.id);
    if (existing && existing !== plugin) throw new DuplicateQueuePluginError(plugin.id);
    this.plugins.set(plugin.id, plugin);
    return this;
  }

  getPlugin(id: string): QueuePlugin<unknown> | undefined {
    return this.plugins.get(id);
  }

  getPlugins(): QueuePlugin<unknown>[] {
    return [...this.plugins.values()];
  }

  /** The plugin of this id, or UnknownQueuePluginError naming the registered ones. */
  require(id: string): QueuePlugin<unknown> {
    const plugin = this.plugins.get(id);
    if (!plugin) throw new UnknownQueuePluginError(id, [...this.plugins.keys()]);
    return plugin;
  }
}
