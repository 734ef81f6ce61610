import { z } from 'zod';
import { retentionSchema } from '../retention';

/** Config of the MongoDB + Redis backend of named queues (version 2). */
export const engineQueueConfigSchema = z
  .object({
    /** Jobs one consume() runs at once, unless it says otherwise. */
    concurrency: z.number().int().min(1).max(1000).default(5),
    /** Fallback poll of consumers, and the tick of recurring schedules. */
    pollIntervalMs: z.number().int().min(10).max(60_000).default(1000),
    /** Scales startDelay, retry backoff and intervals (tests use a small value). */
    delayMultiplier: z.number().positive().max(1).default(1),
    /** How often consumers prove they are alive; three missed beats and they count as gone. */
    consumerHeartbeatMs: z.number().int().min(10).default(5_000),
    /** How often one process applies retention to a queue. */
    retentionIntervalMs: z.number().int().min(10).default(60_000),
    retention: retentionSchema,
  })
  .strict();

export type EngineQueueConfig = z.output<typeof engineQueueConfigSchema>;
