import { z } from 'zod';
import type { BackendQueue } from '../queue-api';
import type { ConfigMigration, PluginContext, QueuePlugin } from '../queue-plugin';
import { retentionSchema } from '../retention';
import { MemoryQueue } from './memory-queue';

/** The in-memory backend's settings (config version 2). */
export const memoryQueueConfigSchema = z
  .object({
    /** Jobs one consumer runs at once unless consume() says otherwise. */
    concurrency: z.number().int().min(1).max(1000).default(5),
    /** Unfinished messages the queue holds before enqueue throws QueueFullError: memory is finite. */
    maxQueueSize: z.number().int().min(1).default(10_000),
    /** Scales startDelay, retry backoff and interval schedules; below 1 makes tests fast. */
    delayMultiplier: z.number().positive().max(1).default(1),
    retention: retentionSchema,
  })
  .strict();

export type MemoryQueueConfig = z.output<typeof memoryQueueConfigSchema>;

const migrations: readonly ConfigMigration[] = [
  {
    from: 1,
    describe: 'timeScale renamed delayMultiplier',
    migrate(config) {
      const { timeScale, ...rest } = config;
      // Both present is ambiguous: leave it for the strict schema to reject the unknown timeScale.
      if (timeScale === undefined || 'delayMultiplier' in rest) return config;
      return { ...rest, delayMultiplier: timeScale };
    },
  },
];

/** Keeps every queue in process memory: for unit tests of consumers, without MongoDB or Redis. */
export const memoryQueuePlugin: QueuePlugin<MemoryQueueConfig> = {
  id: 'memory',
  displayName: 'In-memory',
  description: 'Jobs live in this process only (lost on exit); for tests and local development.',
  configVersion: 2,
  configSchema: memoryQueueConfigSchema,
  migrations,
  createQueue<T>(name: string, config: MemoryQueueConfig, context: PluginContext): BackendQueue<T> {
    return new MemoryQueue<T>(name, config, context);
  },
};
