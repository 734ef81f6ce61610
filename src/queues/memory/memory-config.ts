import { z } from 'zod';
import type { MigrationChain } from '../../queue-api/queue-plugin';
import { retentionSchema } from '../retention';

/** The in-memory backend's settings (config version 3), as the reference implementation documents them. */
export const memoryQueueConfigSchema = z
  .object({
    /** Jobs one consumer runs at once unless consume() says otherwise. */
    concurrency: z.number().int().min(1).max(100).default(10),
    /** Unfinished messages the queue holds before enqueue throws QueueFullError: memory is finite. */
    maxQueueSize: z.number().int().min(1).default(10_000),
    /** Scales startDelay, retry backoff and interval schedules; only for tests (0.01 makes them 100× faster). */
    delayMultiplier: z.number().min(0).max(1).default(1),
    /**
     * How often the queue re-checks due jobs, so jobs whose timers fired late (a machine that
     * slept) still start; 0 turns it off. startPolling(intervalMs) sets it too.
     */
    heartbeatIntervalMs: z.number().int().min(0).default(5_000),
    retention: retentionSchema,
  })
  .strict();

export type MemoryQueueConfig = z.output<typeof memoryQueueConfigSchema>;
/** What a caller may give: every field optional, defaults filled in. */
export type MemoryQueueConfigInput = z.input<typeof memoryQueueConfigSchema>;

/** Version 1 called delayMultiplier timeScale; version 2 allowed concurrency up to 1000 and defaulted it to 5. */
export const memoryConfigMigrations: MigrationChain<MemoryQueueConfig> = [
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
  {
    from: 2,
    describe: 'concurrency: the old default (5) is kept, values above the new maximum (100) become 100',
    migrate(config) {
      const concurrency = config.concurrency ?? 5;
      return { ...config, concurrency: typeof concurrency === 'number' ? Math.min(concurrency, 100) : concurrency };
    },
  },
];
