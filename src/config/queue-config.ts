import { z } from 'zod';
import { BANDS_IN_ORDER, DEFAULT_PRIORITY_LEVELS, type PriorityLevels } from '../domain/priority-band';
import { ConfigError } from '../errors';

const positiveInt = z.number().int().positive();
const priorityRange = z
  .object({ min: z.number().int().min(1), max: z.number().int().max(1000) })
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });

/**
 * The whole configuration, validated once at the boundary. Every default is written here
 * and nowhere else; durations are milliseconds unless the name says otherwise.
 */
export const queueConfigSchema = z
  .object({
    /** Queue name: jobs, batches and locks of different queues never mix. */
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').default('default'),
    mongodb: z.object({
      uri: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://'),
      /** Database name; when absent, the one in the URI (or "queue"). */
      dbName: z.string().min(1).optional(),
      maxPoolSize: positiveInt.default(20),
      serverSelectionTimeoutMs: positiveInt.default(5000),
      /** How long addJob/addJobs wait for MongoDB before failing with STORAGE_UNAVAILABLE. */
      storageTimeoutMs: positiveInt.default(3000),
      /** Emit the driver's command monitoring events (commandStarted, ...) on the connection's client. */
      monitorCommands: z.boolean().default(false),
    }),
    redis: z.object({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(1).max(65535).default(6379),
      password: z.string().optional(),
      /** Dedicated logical database for the queue (QUEUE_REDIS_DB). */
      db: z.number().int().min(0).max(15).default(1),
      /** How long a command may wait before the system treats Redis as down. */
      commandTimeoutMs: positiveInt.default(2000),
    }),
    batch: z
      .object({
        /** Jobs moved per band per load. */
        size: positiveInt.max(10_000).default(100),
        /** How long a loaded batch stays valid; after it, the sweeper returns its jobs to pending. */
        ttl: positiveInt.default(60_000),
        priorityLevels: z
          .object({ CRITICAL: priorityRange, HIGH: priorityRange, NORMAL: priorityRange, LOW: priorityRange })
          .default(DEFAULT_PRIORITY_LEVELS),
      })
      .prefault({}),
    worker: z
      .object({
        /** The durable lease: a worker that stops heartbeating loses its job after this long. */
        lockTimeout: positiveInt.default(30_000),
        /** How often a running job's lease and lock are extended; must be well under lockTimeout. */
        heartbeatInterval: positiveInt.default(10_000),
        /** Default attempts for a job whose type and call do not say (maxAttempts = maxRetries + 1). */
        maxRetries: z.number().int().min(0).max(100).default(3),
        concurrency: positiveInt.max(1000).default(5),
        /** Fallback poll when no wake-up arrives; also the scheduler tick. */
        pollInterval: positiveInt.default(1000),
        /** Grace period for in-flight jobs on stop(). */
        shutdownTimeout: positiveInt.default(30_000),
        /** Default handler timeout when the job type sets none. */
        jobTimeout: positiveInt.default(5 * 60_000),
        /** How often the sweeper returns expired batches and leases (one worker at a time). */
        sweepInterval: positiveInt.default(5_000),
      })
      .prefault({}),
    cache: z
      .object({
        /** Prefix of every Redis key, so one Redis can serve several deployments. */
        namespace: z.string().min(1).regex(/^[A-Za-z0-9_.:-]+$/).default('queue'),
        /** TTL of cached values (cache_warm) in ms. */
        ttl: positiveInt.default(300_000),
        /** Reload a band when it holds fewer than this share of batch.size. */
        refreshThreshold: z.number().min(0).max(1).default(0.2),
      })
      .prefault({}),
    dlq: z
      .object({
        autoMove: z.boolean().default(true),
        maxReprocessAttempts: z.number().int().min(0).max(100).default(3),
        cleanupInterval: positiveInt.default(3_600_000),
        retentionDays: positiveInt.default(30),
      })
      .prefault({}),
    limits: z
      .object({
        /** Largest accepted job data, as BSON bytes. */
        maxPayloadBytes: positiveInt.max(15 * 1024 * 1024).default(1024 * 1024),
        /** Entries kept in a job's history ($slice) so recurring jobs stay bounded. */
        maxHistoryEntries: positiveInt.max(10_000).default(100),
        /** Failed-attempt errors kept per job. */
        maxErrorEntries: positiveInt.max(1_000).default(25),
        /**
         * Largest stored handler result, as BSON bytes. A larger (or unserialisable) result completes
         * the job with result null and a recorded resultError: the handler's work is done and is not repeated.
         */
        maxResultBytes: positiveInt.max(15 * 1024 * 1024).default(4 * 1024 * 1024),
      })
      .prefault({}),
    /** Multiplies every delay, backoff and interval a job asks for; tests use a small value. */
    delayMultiplier: z.number().positive().max(1).default(1),
  })
  .superRefine((config, ctx) => {
    if (config.worker.heartbeatInterval >= config.worker.lockTimeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['worker', 'heartbeatInterval'],
        message: `must be shorter than worker.lockTimeout (${config.worker.lockTimeout})`,
      });
    }
    const levels = config.batch.priorityLevels as PriorityLevels;
    const sorted = BANDS_IN_ORDER.map((band) => ({ band, ...levels[band] }));
    for (let i = 1; i < sorted.length; i += 1) {
      if (sorted[i].max >= sorted[i - 1].min) {
        ctx.addIssue({
          code: 'custom',
          path: ['batch', 'priorityLevels', sorted[i].band],
          message: `must lie below ${sorted[i - 1].band} (${sorted[i - 1].min}–${sorted[i - 1].max}) without overlap`,
        });
      }
    }
  });

export type QueueConfigInput = z.input<typeof queueConfigSchema>;
export type QueueConfig = z.output<typeof queueConfigSchema>;

/** Validates and defaults a configuration, or throws ConfigError listing every problem. */
export function resolveQueueConfig(input: QueueConfigInput): QueueConfig {
  const parsed = queueConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid queue configuration: ${problems.join('; ')}`, problems);
  }
  return parsed.data;
}
