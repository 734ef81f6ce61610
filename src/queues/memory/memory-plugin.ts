import type { NamedQueueBackend } from '../../queue-api/queue-api';
import type { PluginContext, QueuePlugin } from '../../queue-api/queue-plugin';
import { memoryConfigMigrations, memoryQueueConfigSchema, type MemoryQueueConfig } from './memory-config';
import { InMemoryQueue } from './memory-queue';

export { memoryQueueConfigSchema, type MemoryQueueConfig, type MemoryQueueConfigInput } from './memory-config';

/** Keeps every queue in process memory: for unit tests of consumers, without MongoDB or Redis. */
export const memoryQueuePlugin: QueuePlugin<MemoryQueueConfig> = {
  id: 'memory',
  displayName: 'In-memory',
  description: 'Jobs live in this process only (lost on exit); for tests and local development.',
  configVersion: 3,
  configSchema: memoryQueueConfigSchema,
  migrations: memoryConfigMigrations,
  createQueue<T>(name: string, config: MemoryQueueConfig, context?: PluginContext): NamedQueueBackend<T> {
    return new InMemoryQueue<T>(name, config, context?.logger);
  },
};
