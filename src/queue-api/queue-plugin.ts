import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Queue } from './queue-api';

/**
 * One step of a plugin's config history: turns a config stored at `from` into version `from + 1`
 * (the last step gives the current shape, `Config`, which the plugin's schema then validates).
 */
export interface ConfigMigration<Config = unknown> {
  from: number;
  describe: string;
  migrate(config: Record<string, unknown>): Record<string, unknown> | Config;
}

/**
 * The steps that bring a config stored at an older version to the plugin's `configVersion`,
 * one version at a time; the result is validated by the plugin's schema (of `Config`).
 */
export type MigrationChain<Config = unknown> = ReadonlyArray<ConfigMigration<Config>>;

/** What the manager lends a plugin when it creates a queue (plugins may ignore it). */
export interface PluginContext {
  logger: Logger;
  /** Resources shared by every queue of one plugin instance (connections), keyed by the plugin. */
  shared: Map<string, unknown>;
  /**
   * The engine's connections and queues when the named queues belong to a QueueManager (the
   * product's engine backend needs them; a third-party backend has no use for them).
   */
  host?: unknown;
}

/**
 * A queue backend, as documented: `configSchema` validates the config (at `configVersion`);
 * configs stored at older versions are brought forward by `migrations`. `createQueue` returns a
 * Queue; the manager detects what it offers beyond the documented methods (the product's own
 * backends return a NamedQueueBackend). The context and `dispose` are optional extras.
 */
export interface QueuePlugin<Config = unknown> {
  id: string;
  displayName: string;
  description?: string;
  configVersion: number;
  configSchema: z.ZodType<Config>;
  migrations?: MigrationChain<Config>;
  createQueue<T>(name: string, config: Config, context?: PluginContext): Queue<T>;
  /** Releases what `context.shared` holds for this plugin (called when the manager leaves it). */
  dispose?(context: PluginContext): Promise<void>;
}

/** A config as an application stores it: its fields plus the version they were written at (absent: 1). */
export type StoredPluginConfig = Record<string, unknown> & { configVersion?: number };
