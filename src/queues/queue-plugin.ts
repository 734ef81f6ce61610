import type { z } from 'zod';
import type { Logger } from 'pino';
import type { QueueManager } from '../manager/queue-manager';
import type { BackendQueue } from './queue-api';

/** One step of a plugin's config history: turns a config stored at `from` into version `from + 1`. */
export interface ConfigMigration {
  from: number;
  describe: string;
  migrate(config: Record<string, unknown>): Record<string, unknown>;
}

/** What the manager lends a plugin when it creates a queue. */
export interface PluginContext {
  logger: Logger;
  /** Resources shared by every queue of one plugin instance (connections), keyed by the plugin. */
  shared: Map<string, unknown>;
  /** The engine's manager when the queues belong to one (backends on MongoDB and Redis need it). */
  host?: QueueManager;
}

/**
 * A queue backend. `configSchema` validates the config (at `configVersion`); configs stored at
 * older versions are brought forward by `migrations`, one version at a time.
 */
export interface QueuePlugin<TConfig = unknown> {
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly configVersion: number;
  readonly configSchema: z.ZodType<TConfig>;
  readonly migrations: readonly ConfigMigration[];
  createQueue<T>(name: string, config: TConfig, context: PluginContext): BackendQueue<T>;
  /** Releases what `context.shared` holds for this plugin (called when the manager leaves it). */
  dispose?(context: PluginContext): Promise<void>;
}

/** A config as an application stores it: its fields plus the version they were written at (absent: 1). */
export type StoredPluginConfig = Record<string, unknown> & { configVersion?: number };
