import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { redisInput } from './redis-environment';
import { resolveQueueConfig, type QueueConfig, type QueueConfigInput } from './queue-config';

/** process.env, or an application's validated environment object (numbers and booleans allowed). */
export type Env = Readonly<Record<string, unknown>>;

const MS_PER_SECOND = 1000;
const MS_PER_HOUR = 3_600_000;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** `host:port,host:port` (sentinels, cluster seed nodes). */
const addressList = z
  .string()
  .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'host:port pairs separated by commas')
  .transform((text) => text.split(',').map((pair) => ({ host: pair.slice(0, pair.lastIndexOf(':')), port: Number(pair.slice(pair.lastIndexOf(':') + 1)) })));
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Every environment variable the product reads: one row each, with what it sets and
 * its default (shown in the README table and checked against .env.example by tests).
 */
export const ENVIRONMENT_VARIABLES = [
  { name: 'NODE_ENV', schema: z.string().min(1), description: 'Application environment; "development" makes debug the default LOG_LEVEL', default: '' },
  { name: 'MONGO_URI', schema: z.string().min(1), description: 'MongoDB connection string (required for workers; mongodb.connectionString falls back to it)', default: '' },
  { name: 'MONGO_DB_NAME', schema: z.string().min(1), description: 'Database name; else the one in MONGO_URI, else "queue"', default: '' },
  { name: 'MONGO_WRITE_CONCERN', schema: z.union([z.literal('majority'), int(1, 50)]), description: 'Write concern w of every queue write: majority or a member count (docs/deployment.md says why majority)', default: 'majority' },
  { name: 'MONGO_WRITE_JOURNAL', schema: bool, description: 'Write concern j: acknowledge writes once journaled', default: '(server default)' },
  { name: 'MONGO_WRITE_TIMEOUT_MS', schema: int(1, 3_600_000), description: 'Write concern wtimeout in ms', default: '(none)' },
  { name: 'MONGO_READ_PREFERENCE', schema: z.enum(['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest']), description: 'Read preference of admin and reporting reads (stats, listings); claims stay on the primary', default: 'primary' },
  { name: 'MONGO_RETRY_WRITES', schema: bool, description: 'Retry a write once after a failover or network error', default: 'true' },
  { name: 'REDIS_URL', schema: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'), description: 'Redis URL, redis://[user:password@]host:port[/db] (rediss:// for TLS); the REDIS_* variables below win over its parts', default: '' },
  { name: 'REDIS_HOST', schema: z.string().min(1), description: 'Redis host', default: '127.0.0.1' },
  { name: 'REDIS_PORT', schema: int(1, 65535), description: 'Redis port', default: '6379' },
  { name: 'REDIS_USERNAME', schema: z.string().min(1), description: 'Redis ACL user (Redis 6+); unset: the default user', default: '' },
  { name: 'REDIS_PASSWORD', schema: z.string(), description: 'Redis password', default: '' },
  { name: 'REDIS_TLS', schema: bool, description: 'TLS to Redis, verified with the system CAs unless REDIS_TLS_CA_FILE is set (on with rediss:// or a TLS file)', default: 'false' },
  { name: 'REDIS_TLS_CA_FILE', schema: z.string().min(1), description: 'PEM file of the CA that signed the Redis server\'s certificate', default: '' },
  { name: 'REDIS_TLS_CERT_FILE', schema: z.string().min(1), description: 'PEM client certificate, for a Redis that asks for one (with REDIS_TLS_KEY_FILE)', default: '' },
  { name: 'REDIS_TLS_KEY_FILE', schema: z.string().min(1), description: 'PEM key of the client certificate (secret)', default: '' },
  { name: 'REDIS_TLS_SERVERNAME', schema: z.string().min(1), description: 'Name the Redis certificate is checked against (and SNI); default: the host', default: '' },
  { name: 'QUEUE_REDIS_URL', schema: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'), description: 'Redis URL for the queue only (overrides REDIS_URL; the QUEUE_REDIS_* variables win over its parts)', default: '' },
  { name: 'REDIS_SENTINELS', schema: addressList, description: 'Sentinels (host:port,...) that name the Redis primary; REDIS_HOST/PORT are then ignored', default: '' },
  { name: 'REDIS_SENTINEL_NAME', schema: z.string().min(1), description: 'Name of the primary in the sentinels\' configuration', default: 'mymaster' },
  { name: 'REDIS_SENTINEL_PASSWORD', schema: z.string(), description: 'Password of the sentinels (the nodes use REDIS_PASSWORD)', default: '' },
  { name: 'REDIS_CLUSTER_NODES', schema: addressList, description: 'Seed nodes (host:port,...) of a Redis Cluster; REDIS_HOST/PORT and QUEUE_REDIS_DB are then ignored', default: '' },
  { name: 'QUEUE_REDIS_HOST', schema: z.string().min(1), description: 'Redis host for the queue only (overrides REDIS_HOST)', default: '' },
  { name: 'QUEUE_REDIS_PORT', schema: int(1, 65535), description: 'Redis port for the queue only', default: '' },
  { name: 'QUEUE_REDIS_USERNAME', schema: z.string().min(1), description: 'Redis ACL user for the queue only', default: '' },
  { name: 'QUEUE_REDIS_PASSWORD', schema: z.string(), description: 'Redis password for the queue only', default: '' },
  { name: 'QUEUE_REDIS_DB', schema: int(0, 15), description: 'Redis logical database of the queue (else the path of QUEUE_REDIS_URL or REDIS_URL)', default: '1' },
  { name: 'QUEUE_REDIS_TLS', schema: bool, description: 'TLS for the queue\'s Redis only (overrides REDIS_TLS)', default: '' },
  { name: 'QUEUE_REDIS_TLS_CA_FILE', schema: z.string().min(1), description: 'CA file for the queue\'s Redis only', default: '' },
  { name: 'QUEUE_REDIS_TLS_CERT_FILE', schema: z.string().min(1), description: 'Client certificate for the queue\'s Redis only', default: '' },
  { name: 'QUEUE_REDIS_TLS_KEY_FILE', schema: z.string().min(1), description: 'Client certificate key for the queue\'s Redis only (secret)', default: '' },
  { name: 'QUEUE_REDIS_TLS_SERVERNAME', schema: z.string().min(1), description: 'Certificate name for the queue\'s Redis only', default: '' },
  { name: 'QUEUE_NAME', schema: z.string().min(1), description: 'Queue name', default: 'default' },
  { name: 'QUEUE_NAMESPACE', schema: z.string().min(1), description: 'Prefix of every Redis key', default: 'queue' },
  { name: 'WORKER_ID', schema: z.string().min(1).max(200), description: 'Worker identity in leases and audit entries', default: '<hostname>-<pid>' },
  { name: 'QUEUE_WORKER_CONCURRENCY', schema: int(1, 1000), description: 'Jobs one worker runs at once (worker.concurrency)', default: '5' },
  { name: 'WORKER_CONCURRENCY', schema: int(1, 1000), description: 'Alias of QUEUE_WORKER_CONCURRENCY', default: '' },
  { name: 'QUEUE_BATCH_SIZE', schema: int(1, 10_000), description: 'Jobs loaded into Redis per band per load (batch.size)', default: '50' },
  { name: 'WORKER_BATCH_SIZE', schema: int(1, 10_000), description: 'Alias of QUEUE_BATCH_SIZE', default: '' },
  { name: 'QUEUE_BATCH_TTL_MS', schema: int(1, 604_800_000), description: 'Lifetime of a loaded batch in ms (batch.ttl is in seconds)', default: '1800000' },
  { name: 'QUEUE_POLL_INTERVAL', schema: int(1, 3_600_000), description: 'Fallback poll interval in ms', default: '1000' },
  { name: 'QUEUE_LOCK_TIMEOUT_MS', schema: int(1, 86_400_000), description: 'Job lease length in ms', default: '300000' },
  { name: 'QUEUE_HEARTBEAT_INTERVAL_MS', schema: int(1, 86_400_000), description: 'Lease extension interval in ms', default: '30000' },
  { name: 'QUEUE_MAX_RETRIES', schema: int(0, 100), description: 'Default retries after the first attempt', default: '3' },
  { name: 'QUEUE_SHUTDOWN_TIMEOUT_MS', schema: int(1, 3_600_000), description: 'Grace period for in-flight jobs on SIGTERM', default: '30000' },
  { name: 'QUEUE_JOB_TIMEOUT_MS', schema: int(1, 86_400_000), description: 'Default handler timeout', default: '300000' },
  { name: 'QUEUE_SWEEP_INTERVAL_MS', schema: int(1, 3_600_000), description: 'How often expired batches and leases are recovered', default: '5000' },
  { name: 'QUEUE_MAX_PAYLOAD_BYTES', schema: int(1, 15 * 1024 * 1024), description: 'Largest job data accepted', default: '1048576' },
  { name: 'DLQ_AUTO_MOVE', schema: bool, description: 'Move exhausted jobs to the dead-letter collection', default: 'true' },
  { name: 'DLQ_MAX_REPROCESS_ATTEMPTS', schema: int(0, 100), description: 'How often one DLQ entry may be reprocessed', default: '3' },
  { name: 'DLQ_CLEANUP_INTERVAL_MS', schema: int(1, 604_800_000), description: 'How often retention cleanup runs, in ms (dlq.cleanupInterval is in hours)', default: '86400000' },
  { name: 'DLQ_RETENTION_DAYS', schema: int(1, 3650), description: 'Days a DLQ entry is kept', default: '30' },
  { name: 'HTTP_PORT', schema: int(0, 65535), description: 'Port of the worker\'s HTTP server (health, metrics, admin API); 0 turns it off', default: '8080' },
  { name: 'HTTP_HOST', schema: z.string().min(1), description: 'Address the HTTP server listens on; loopback by default, 0.0.0.0 in the container image and Kubernetes (probes and scrapes come from outside the pod)', default: '127.0.0.1' },
  { name: 'HEALTH_CHECK_ENABLED', schema: bool, description: 'Serve /health/worker and /health/queue on HTTP_PORT', default: 'true' },
  { name: 'HEALTH_SNAPSHOT_MS', schema: int(0, 300_000), description: 'How long one reading of health and queue figures serves /health/queue and /metrics, in ms (0: read on every request)', default: '5000' },
  { name: 'METRICS_ENABLED', schema: bool, description: 'Serve /metrics (Prometheus) on HTTP_PORT', default: 'true' },
  { name: 'ADMIN_TOKENS', schema: z.string().regex(/^[A-Za-z0-9_.@-]+:[^,:\s]{16,}(:(admin|read))?(,[A-Za-z0-9_.@-]+:[^,:\s]{16,}(:(admin|read))?)*$/, 'name:token pairs separated by commas, tokens of 16+ characters, each optionally ending in :read or :admin'), description: 'Enables the admin API and the dashboard: name:token pairs, each optionally ending in :read (sees everything, changes nothing) or :admin (the default); the name is the actor in audit entries (secret)', default: '' },
  { name: 'LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), description: 'pino log level', default: 'info (debug when NODE_ENV=development)' },
] as const;

type VariableName = (typeof ENVIRONMENT_VARIABLES)[number]['name'];
type VariableValues = { [K in (typeof ENVIRONMENT_VARIABLES)[number] as K['name']]?: z.output<K['schema']> };

/** What a token may do: `admin` reads and changes, `read` only reads. */
export const AdminRole = {
  Admin: 'admin',
  Read: 'read',
} as const;
export type AdminRole = (typeof AdminRole)[keyof typeof AdminRole];

export interface AdminToken {
  /** Who acts: recorded as `by` in every audit entry the token causes. */
  name: string;
  token: string;
  /** Absent: admin (tokens written before roles existed keep their rights). */
  role?: AdminRole;
}

export interface EnvironmentConfig {
  queue: QueueConfig;
  workerId: string;
  logLevel: string;
  /** NODE_ENV as given (undefined when unset). */
  nodeEnv: string | undefined;
  http: { port: number; host: string; adminTokens: AdminToken[]; healthCheck: boolean; metrics: boolean; snapshotMaxAgeMs: number };
}

/** Two names of one setting (the documents use both): both set and different is an error. */
const ALIASES: ReadonlyArray<{ name: VariableName; alias: VariableName; setting: string }> = [
  { name: 'QUEUE_WORKER_CONCURRENCY', alias: 'WORKER_CONCURRENCY', setting: 'the jobs one worker runs at once' },
  { name: 'QUEUE_BATCH_SIZE', alias: 'WORKER_BATCH_SIZE', setting: 'the batch size' },
];

/**
 * The queue settings the environment gives (only those set; the schema fills the rest). Used by
 * the worker (loadConfig) and by QueueFactory.createDefault; MONGO_URI is optional here.
 */
export function queueInputFromEnvironment(env: Env = process.env): QueueConfigInput {
  return queueInput(parseVariables(env));
}

/** Reads the documented variables; a bad value throws ConfigError naming the variable and what is allowed. */
export function loadConfig(env: Env = process.env): EnvironmentConfig {
  const values = parseVariables(env);
  if (!values.MONGO_URI) {
    throw new ConfigError('MONGO_URI is not set: give the MongoDB connection string, e.g. mongodb://127.0.0.1:27017/queue', [
      'MONGO_URI: required',
    ]);
  }
  return {
    queue: resolveQueueConfig(queueInput(values), {}),
    workerId: values.WORKER_ID ?? `${hostname()}-${process.pid}`,
    logLevel: values.LOG_LEVEL ?? (values.NODE_ENV === 'development' ? 'debug' : 'info'),
    nodeEnv: values.NODE_ENV,
    http: {
      port: values.HTTP_PORT ?? 8080,
      host: values.HTTP_HOST ?? '127.0.0.1',
      adminTokens: parseAdminTokens(values.ADMIN_TOKENS ?? ''),
      healthCheck: values.HEALTH_CHECK_ENABLED ?? true,
      metrics: values.METRICS_ENABLED ?? true,
      snapshotMaxAgeMs: values.HEALTH_SNAPSHOT_MS ?? 5000,
    },
  };
}

function queueInput(values: VariableValues): QueueConfigInput {
  return {
    name: values.QUEUE_NAME,
    mongodb: {
      connectionString: values.MONGO_URI,
      dbName: values.MONGO_DB_NAME,
      writeConcern: { w: values.MONGO_WRITE_CONCERN, j: values.MONGO_WRITE_JOURNAL, wtimeoutMs: values.MONGO_WRITE_TIMEOUT_MS },
      readPreference: values.MONGO_READ_PREFERENCE,
      retryWrites: values.MONGO_RETRY_WRITES,
    },
    redis: {
      ...redisInput(
        {
          url: values.REDIS_URL,
          host: values.REDIS_HOST,
          port: values.REDIS_PORT,
          username: values.REDIS_USERNAME,
          password: values.REDIS_PASSWORD,
          tls: values.REDIS_TLS,
          tlsCaFile: values.REDIS_TLS_CA_FILE,
          tlsCertFile: values.REDIS_TLS_CERT_FILE,
          tlsKeyFile: values.REDIS_TLS_KEY_FILE,
          tlsServername: values.REDIS_TLS_SERVERNAME,
        },
        {
          url: values.QUEUE_REDIS_URL,
          host: values.QUEUE_REDIS_HOST,
          port: values.QUEUE_REDIS_PORT,
          username: values.QUEUE_REDIS_USERNAME,
          password: values.QUEUE_REDIS_PASSWORD,
          db: values.QUEUE_REDIS_DB,
          tls: values.QUEUE_REDIS_TLS,
          tlsCaFile: values.QUEUE_REDIS_TLS_CA_FILE,
          tlsCertFile: values.QUEUE_REDIS_TLS_CERT_FILE,
          tlsKeyFile: values.QUEUE_REDIS_TLS_KEY_FILE,
          tlsServername: values.QUEUE_REDIS_TLS_SERVERNAME,
        },
      ),
      sentinels: values.REDIS_SENTINELS,
      sentinelName: values.REDIS_SENTINEL_NAME,
      sentinelPassword: values.REDIS_SENTINEL_PASSWORD,
      clusterNodes: values.REDIS_CLUSTER_NODES,
    },
    batch: {
      size: values.QUEUE_BATCH_SIZE ?? values.WORKER_BATCH_SIZE,
      ttl: values.QUEUE_BATCH_TTL_MS === undefined ? undefined : values.QUEUE_BATCH_TTL_MS / MS_PER_SECOND,
    },
    worker: {
      concurrency: values.QUEUE_WORKER_CONCURRENCY ?? values.WORKER_CONCURRENCY,
      pollInterval: values.QUEUE_POLL_INTERVAL,
      lockTimeout: values.QUEUE_LOCK_TIMEOUT_MS,
      heartbeatInterval: values.QUEUE_HEARTBEAT_INTERVAL_MS,
      maxRetries: values.QUEUE_MAX_RETRIES,
      shutdownTimeout: values.QUEUE_SHUTDOWN_TIMEOUT_MS,
      jobTimeout: values.QUEUE_JOB_TIMEOUT_MS,
      sweepInterval: values.QUEUE_SWEEP_INTERVAL_MS,
    },
    cache: { namespace: values.QUEUE_NAMESPACE },
    dlq: {
      autoMove: values.DLQ_AUTO_MOVE,
      maxReprocessAttempts: values.DLQ_MAX_REPROCESS_ATTEMPTS,
      cleanupInterval: values.DLQ_CLEANUP_INTERVAL_MS === undefined ? undefined : values.DLQ_CLEANUP_INTERVAL_MS / MS_PER_HOUR,
      retentionDays: values.DLQ_RETENTION_DAYS,
    },
    limits: { maxPayloadBytes: values.QUEUE_MAX_PAYLOAD_BYTES },
  };
}

/** `alice:tok1,viewer:tok2:read` (format checked by the variable's schema). One token per name and one name per token, so the actor a token records is never ambiguous. */
function parseAdminTokens(text: string): AdminToken[] {
  const tokens = text.split(',').filter(Boolean).map((pair): AdminToken => {
    const [name, token, role] = pair.split(':');
    return { name, token, role: role === AdminRole.Read ? AdminRole.Read : AdminRole.Admin };
  });
  const names = new Set(tokens.map((t) => t.name));
  const secrets = new Set(tokens.map((t) => t.token));
  if (names.size !== tokens.length || secrets.size !== tokens.length) {
    const problem = 'ADMIN_TOKENS: every name and every token must appear once';
    throw new ConfigError(`Invalid environment: ${problem}`, [problem]);
  }
  return tokens;
}

function parseVariables(env: Env): VariableValues {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const variable of ENVIRONMENT_VARIABLES) {
    const given = env[variable.name];
    if (given === undefined || given === null || given === '') continue;
    // An application's validated environment object may hold numbers and booleans already.
    const raw = typeof given === 'string' ? given : typeof given === 'number' || typeof given === 'boolean' ? String(given) : given;
    const parsed = variable.schema.safeParse(raw);
    if (parsed.success) values[variable.name] = parsed.data;
    else problems.push(`${variable.name}=${JSON.stringify(redactIfSecret(variable.name, String(raw)))}: ${parsed.error.issues.map((i) => i.message).join(', ')}`);
  }
  for (const { name, alias, setting } of ALIASES) {
    if (values[name] !== undefined && values[alias] !== undefined && values[name] !== values[alias]) {
      problems.push(`${name}=${String(values[name])} and ${alias}=${String(values[alias])} both set ${setting} and differ: set only one of them`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid environment: ${problems.join('; ')}`, problems);
  }
  return values as VariableValues;
}

function redactIfSecret(name: VariableName, raw: string): string {
  return /PASSWORD|URI|URL|TOKEN/.test(name) ? '[redacted]' : raw;
}
