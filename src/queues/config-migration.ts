import { ConfigError } from '../errors';
import type { QueuePlugin, StoredPluginConfig } from '../queue-api/queue-plugin';

/**
 * Brings a stored config to the plugin's current version (each migration once, in order),
 * then validates it with the plugin's schema. Throws ConfigError naming what is wrong.
 */
export function migratePluginConfig<TConfig>(plugin: QueuePlugin<TConfig>, stored: unknown = {}): TConfig {
  const { configVersion = 1, ...fields } = asStoredConfig(plugin.id, stored);
  if (!Number.isInteger(configVersion) || configVersion < 1) {
    throw new ConfigError(`${plugin.id}: configVersion must be a positive integer, got ${String(configVersion)}`);
  }
  if (configVersion > plugin.configVersion) {
    throw new ConfigError(`${plugin.id}: config is at version ${configVersion}, newer than this backend's ${plugin.configVersion}; upgrade the package`);
  }
  let config: Record<string, unknown> = fields;
  for (let version = configVersion; version < plugin.configVersion; version += 1) {
    const step = (plugin.migrations ?? []).find((m) => m.from === version);
    if (!step) throw new ConfigError(`${plugin.id}: no migration from config version ${version} to ${version + 1}`);
    // Each step's output is the next step's input; the schema checks the final shape.
    config = step.migrate(config) as Record<string, unknown>;
  }
  const parsed = plugin.configSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`);
    throw new ConfigError(`${plugin.id}: invalid backend config: ${problems.join('; ')}`, problems);
  }
  return parsed.data;
}

/** A stored config is an object of fields (undefined stands for none). */
function asStoredConfig(pluginId: string, stored: unknown): StoredPluginConfig {
  if (stored === undefined || stored === null) return {};
  if (typeof stored !== 'object' || Array.isArray(stored)) {
    throw new ConfigError(`${pluginId}: a backend config is an object of fields (with an optional configVersion), got ${Array.isArray(stored) ? 'an array' : typeof stored}`);
  }
  return stored as StoredPluginConfig;
}
