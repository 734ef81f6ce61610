import { z } from 'zod';
import { BANDS_IN_ORDER } from '../domain/priority-band';
import { ConfigError } from '../errors';
import { bandRanges, MONGO_URI_VARIABLE, priorityLevelsSchema } from './config-aliases';

type Env = Readonly<Record<string, string | undefined>>;

const positiveInt = z.number().int().positive();
/** A port or database number as an application's environment object may hold it: 6379 or "6379". */
const wholeNumber = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().min(min).max(max));
/** An empty password (REDIS_PASSWORD= in an env file) means none. */
const optionalSecret = z.preprocess((v) => (v === '' || v === null ? undefined : v), z.string().optional());
/** TLS to Redis: `true` (system CAs) or the files and name to use; `false` or absent: plain TCP. */
const redisTls = z
  .union([
    z.boolean(),
    z
      .object({
        /** PEM file of the CA(s) that signed the server's certificate; default: the system's CAs. */
        caFile: z.string().min(1).optional(),
        /** PEM client certificate and its key, for servers that ask for one (tls-auth-clients). */
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
        /** Name the server's certificate is checked against (SNI too); default: the host. */
        servername: z.string().min(1).optional(),
      })
      .strict()
      .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), { message: 'give certFile and keyFile together (a client certificate needs its key)' }),
  ])
  .optional()
  .transform((t) => (t === true ? {} : t === false ? undefined : t));
/** A Redis node or sentinel address: `{ host, port }`. */
const redisAddress = z.object({ host: z.string().min(1), port: wholeNumber(1, 65535) }).strict();
const mongoUri = z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://');

const MONGODB_REQUIRED =
  'MongoDB is the source of truth of every job (its record, lease and audit trail): the queue cannot run without it. Remove `enabled: false` (or set it to true) and give mongodb.connectionString or MONGO_URI';

/**
 * The whole configuration: the shape of the product's `QueueConfig` (name, mongodb, redis, batch,
 * worker, cache, dlq) plus a few settings of our own, validated once at the boundary. Every default
 * is written here and nowhere else, and every duration names its unit: batch.ttl and cache.ttl are
 * SECONDS, dlq.cleanupInterval is HOURS, worker.* are MILLISECONDS (src/config/durations.ts turns
 * them into milliseconds where they are used).
 *
 * Accepted aliases (both forms given and different: a ConfigError naming both):
 * mongodb.uri → mongodb.connectionString; batch.priorityLevels.CRITICAL/HIGH/NORMAL/LOW → .critical/.high/.normal/.low.
 */
export const queueConfigSchema = z
  .object({
    /** Queue name: jobs, batches and locks of different queues never mix. Default "default". */
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').default('default'),
    mongodb: z
      .object({
        /** Must be true (the default): MongoDB is the source of truth; false is rejected with the reason. */
        enabled: z.boolean().default(true),
        /** Connection string; when absent, MONGO_URI from the environment. */
        connectionString: mongoUri.optional(),
        /** Alias of connectionString (the older name). */
        uri: mongoUri.optional(),
        /** Database name; when absent, the one in the connection string (or "queue"). */
        dbName: z.string().min(1).optional(),
        /** Connections in the driver's pool. Default 20. */
        maxPoolSize: positiveInt.default(20),
        /** Milliseconds the driver waits for a server before an operation fails. Default 5000. */
        serverSelectionTimeoutMs: positiveInt.default(5000),
        /** Milliseconds addJob/addJobs wait for MongoDB before failing with STORAGE_UNAVAILABLE. Default 3000. */
        storageTimeoutMs: positiveInt.default(3000),
        /** Emit the driver's command monitoring events (commandStarted, ...) on the connection's client. */
        monitorCommands: z.boolean().default(false),
        /**
         * Write concern of every write the queue makes. Default `{ w: 'majority' }`: on a replica set a
         * job, a claim or an outcome acknowledged with less can be rolled back by a failover (see
         * docs/deployment.md). w: 0 is refused (an unacknowledged write may lose a job).
         */
        writeConcern: z
          .object({
            /** 'majority' (default) or a number of members (1–50). */
            w: z.union([z.literal('majority'), z.number().int().min(1, 'w: 0 is refused: an unacknowledged write may lose a job').max(50)]).default('majority'),
            /** Wait for the journal before acknowledging (the server's default when unset). */
            j: z.boolean().optional(),
            /** MILLISECONDS a write waits for its concern before failing (no limit when unset). */
            wtimeoutMs: positiveInt.optional(),
          })
          .strict()
          .prefault({}),
        /**
         * Where admin and reporting reads go (stats, job and DLQ listings): a secondary takes that load
         * off the primary at the cost of replication lag. The claim path, the leases and every guarded
         * write stay on the primary whatever this says. Default "primary".
         */
        readPreference: z.enum(['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest']).default('primary'),
        /** Let the driver retry a write once after a failover or a network error. Default true. */
        retryWrites: z.boolean().default(true),
      })
      .strict()
      .prefault({})
      .transform((mongodb, ctx) => {
        const { uri, connectionString, ...rest } = mongodb;
        if (!mongodb.enabled) {
          ctx.issues.push({ code: 'custom', path: ['enabled'], message: MONGODB_REQUIRED, input: mongodb.enabled });
          return z.NEVER;
        }
        if (uri !== undefined && connectionString !== undefined && uri !== connectionString) {
          ctx.issues.push({
            code: 'custom',
            path: ['connectionString'],
            message: 'mongodb.connectionString and its alias mongodb.uri are both given and differ: keep one',
            input: mongodb,
          });
          return z.NEVER;
        }
        const resolved = connectionString ?? uri;
        if (resolved === undefined) {
          ctx.issues.push({
            code: 'custom',
            path: ['connectionString'],
            message: `not set, and ${MONGO_URI_VARIABLE} is not in the environment: give mongodb.connectionString or set ${MONGO_URI_VARIABLE}`,
            input: mongodb,
          });
          return z.NEVER;
        }
        return { ...rest, enabled: true as const, connectionString: resolved };
      }),
    redis: z
      .object({
        /** Default "127.0.0.1". */
        host: z.string().min(1).default('127.0.0.1'),
        /** Default 6379. */
        port: wholeNumber(1, 65535).default(6379),
        /** ACL user (Redis 6+), with `password`; unset: the default user. */
        username: optionalSecret,
        password: optionalSecret,
        /** TLS (rediss://, REDIS_TLS=true): `true` for the system's CAs, or `{ caFile, certFile, keyFile, servername }`. Default off. */
        tls: redisTls,
        /** Dedicated logical database for the queue (QUEUE_REDIS_DB). Default 1. */
        db: wholeNumber(0, 15).default(1),
        /** Milliseconds a command may wait before the system treats Redis as down. Default 2000. */
        commandTimeoutMs: positiveInt.default(2000),
        /**
         * Sentinels that name the primary (REDIS_SENTINELS); host and port are then ignored and every
         * connection follows the primary across failovers. `password` is the nodes' password.
         */
        sentinels: z.array(redisAddress).min(1).optional(),
        /** The primary's name in the sentinels' configuration (REDIS_SENTINEL_NAME). Default "mymaster". */
        sentinelName: z.string().min(1).default('mymaster'),
        /** Password of the sentinels themselves, when they require one (REDIS_SENTINEL_PASSWORD). */
        sentinelPassword: optionalSecret,
        /**
         * Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); the client discovers the rest. A cluster
         * has database 0 only, so `db` is ignored: `cache.namespace` separates deployments.
         */
        clusterNodes: z.array(redisAddress).min(1).optional(),
      })
      .strict()
      .prefault({})
      .refine((redis) => !(redis.sentinels && redis.clusterNodes), {
        message: 'sentinels and clusterNodes are both given: a Redis is either Sentinel-managed or a cluster, keep one',
        path: ['clusterNodes'],
      }),
    batch: z
      .object({
        /** Jobs moved per band per load. Default 50. */
        size: positiveInt.max(10_000).default(50),
        /**
         * SECONDS a loaded batch stays valid (the Redis band's TTL and the jobs' batchedUntil). Default
         * 1800. Recovery never waits for it: a batch lost with Redis is noticed by the loader, and
         * with Redis down the sweeper returns batched jobs to pending (see BatchUpkeep).
         */
        ttl: z.number().positive().max(7 * 24 * 3600).default(1800),
        /** Priority range of each band: critical 15–20, high 10–14, normal 5–9, low 1–4 by default. */
        priorityLevels: priorityLevelsSchema,
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        /** MILLISECONDS of the durable lease: a worker that stops heartbeating loses its job after this long. Default 300000. */
        lockTimeout: positiveInt.default(300_000),
        /** MILLISECONDS between extensions of a running job's lease and lock; must be shorter than lockTimeout. Default 30000. */
        heartbeatInterval: positiveInt.default(30_000),
        /** Default retries for a job whose type and call do not say (maxAttempts = maxRetries + 1). Default 3. */
        maxRetries: z.number().int().min(0).max(100).default(3),
        /** Jobs one worker runs at once. Default 5. */
        concurrency: positiveInt.max(1000).default(5),
        /** MILLISECONDS of the fallback poll when no wake-up arrives; also the scheduler and loader tick. Default 1000. */
        pollInterval: positiveInt.default(1000),
        /** MILLISECONDS of grace for in-flight jobs on stop(). Default 30000. */
        shutdownTimeout: positiveInt.default(30_000),
        /** MILLISECONDS of the default handler timeout when the job type sets none. Default 300000. */
        jobTimeout: positiveInt.default(5 * 60_000),
        /** MILLISECONDS between sweeps that return expired batches and leases (one worker at a time). Default 5000. */
        sweepInterval: positiveInt.default(5_000),
      })
      .strict()
      .prefault({}),
    cache: z
      .object({
        /** Prefix of every Redis key, so one Redis can serve several deployments. Default "queue". */
        namespace: z.string().min(1).regex(/^[A-Za-z0-9_.:-]+$/).default('queue'),
        /** SECONDS cached values live (cache_warm and the handlers' cache). Default 1800. */
        ttl: z.number().positive().max(365 * 24 * 3600).default(1800),
        /**
         * Share of batch.ttl after which the loader refreshes a band (renews its batch before it
         * expires), besides refilling an empty band: 0.75 refreshes a 1800 s batch after 1350 s. Default 0.8.
         */
        refreshThreshold: z.number().gt(0).max(1).default(0.8),
      })
      .strict()
      .prefault({}),
    dlq: z
      .object({
        /** Move exhausted jobs to the dead-letter collection. Default true. */
        autoMove: z.boolean().default(true),
        /** How often one DLQ entry may be reprocessed. Default 3. */
        maxReprocessAttempts: z.number().int().min(0).max(100).default(3),
        /** HOURS between retention cleanups (the shipped `cleanup` job). Default 24. */
        cleanupInterval: z.number().positive().max(24 * 365).default(24),
        /** DAYS a DLQ entry is kept. Default 30. */
        retentionDays: positiveInt.default(30),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        /** Largest accepted job data, as BSON bytes. Default 1 MiB. */
        maxPayloadBytes: positiveInt.max(15 * 1024 * 1024).default(1024 * 1024),
        /** Entries kept in a job's history ($slice) so recurring jobs stay bounded. Default 100. */
        maxHistoryEntries: positiveInt.max(10_000).default(100),
        /** Failed-attempt errors kept per job. Default 25. */
        maxErrorEntries: positiveInt.max(1_000).default(25),
        /**
         * Largest stored handler result, as BSON bytes. Default 4 MiB. A larger (or unserialisable)
         * result completes the job with result null and a recorded resultError: the handler's work
         * is done and is not repeated.
         */
        maxResultBytes: positiveInt.max(15 * 1024 * 1024).default(4 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /** Multiplies every delay, backoff and interval a job asks for; tests use a small value. Default 1. */
    delayMultiplier: z.number().positive().max(1).default(1),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.worker.heartbeatInterval >= config.worker.lockTimeout) {
      ctx.addIssue({
        code: 'custom',
        path: ['worker', 'heartbeatInterval'],
        message: `must be shorter than worker.lockTimeout (${config.worker.lockTimeout} ms)`,
      });
    }
    const levels = bandRanges(config.batch.priorityLevels);
    for (let i = 1; i < BANDS_IN_ORDER.length; i += 1) {
      const [above, band] = [BANDS_IN_ORDER[i - 1], BANDS_IN_ORDER[i]];
      if (levels[band].max >= levels[above].min) {
        ctx.addIssue({
          code: 'custom',
          path: ['batch', 'priorityLevels', band.toLowerCase()],
          message: `must lie below ${above.toLowerCase()} (${levels[above].min}–${levels[above].max}) without overlap`,
        });
      }
    }
  });

/** What callers write: every section and field optional, aliases accepted. */
export type QueueConfigInput = z.input<typeof queueConfigSchema>;
/** What the code uses: every default filled in, aliases resolved, units as documented on each field. */
export type QueueConfig = z.output<typeof queueConfigSchema>;

/**
 * Validates and defaults a configuration, or throws ConfigError listing every problem.
 * mongodb.connectionString falls back to MONGO_URI of `env` (the process environment by default).
 * A resolved configuration passes through unchanged.
 */
export function resolveQueueConfig(input: QueueConfigInput | QueueConfig, env: Env = process.env): QueueConfig {
  const parsed = queueConfigSchema.safeParse(withMongoUriFromEnv(input as QueueConfigInput, env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`Invalid queue configuration: ${problems.join('; ')}`, problems);
  }
  return parsed.data;
}

function withMongoUriFromEnv(input: QueueConfigInput, env: Env): QueueConfigInput {
  const mongodb = input?.mongodb;
  const fromEnv = env[MONGO_URI_VARIABLE];
  if (mongodb?.connectionString !== undefined || mongodb?.uri !== undefined || !fromEnv) return input;
  return { ...input, mongodb: { ...mongodb, connectionString: fromEnv } };
}
