import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError } from '../errors';
import { resolveQueueConfig, type QueueConfig, type QueueConfigInput } from './queue-config';

type Env = Record<string, string | undefined>;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/**
 * Every environment variable the product reads: one row each, with what it sets and
 * its default (shown in the README table and checked against .env.example by tests).
 */
export const ENVIRONMENT_VARIABLES = [
  { name: 'MONGO_URI', schema: z.string().min(1), description: 'MongoDB connection string (required for workers)', default: '' },
  { name: 'MONGO_DB_NAME', schema: z.string().min(1), description: 'Database name; else the one in MONGO_URI, else "queue"', default: '' },
  { name: 'REDIS_URL', schema: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'), description: 'Redis URL (redis://[:password@]host:port); an alternative to REDIS_HOST/PORT/PASSWORD', default: '' },
  { name: 'REDIS_HOST', schema: z.string().min(1), description: 'Redis host', default: '127.0.0.1' },
  { name: 'REDIS_PORT', schema: int(1, 65535), description: 'Redis port', default: '6379' },
  { name: 'REDIS_PASSWORD', schema: z.string(), description: 'Redis password', default: '' },
  { name: 'QUEUE_REDIS_HOST', schema: z.string().min(1), description: 'Redis host for the queue only (overrides REDIS_HOST)', default: '' },
  { name: 'QUEUE_REDIS_PORT', schema: int(1, 65535), description: 'Redis port for the queue only', default: '' },
  { name: 'QUEUE_REDIS_PASSWORD', schema: z.string(), description: 'Redis password for the queue only', default: '' },
  { name: 'QUEUE_REDIS_DB', schema: int(0, 15), description: 'Redis logical database of the queue', default: '1' },
  { name: 'QUEUE_NAME', schema: z.string().min(1), description: 'Queue name', default: 'default' },
  { name: 'QUEUE_NAMESPACE', schema: z.string().min(1), description: 'Prefix of every Redis key', default: 'queue' },
  { name: 'WORKER_ID', schema: z.string().min(1).max(200), description: 'Worker identity in leases and audit entries', default: '<hostname>-<pid>' },
  { name: 'QUEUE_WORKER_CONCURRENCY', schema: int(1, 1000), description: 'Jobs one worker runs at once', default: '5' },
  { name: 'QUEUE_BATCH_SIZE', schema: int(1, 10_000), description: 'Jobs loaded into Redis per band per load', default: '100' },
  { name: 'QUEUE_BATCH_TTL_MS', schema: int(1, 86_400_000), description: 'Lifetime of a loaded batch', default: '60000' },
  { name: 'QUEUE_POLL_INTERVAL', schema: int(1, 3_600_000), description: 'Fallback poll interval in ms', default: '1000' },
  { name: 'QUEUE_LOCK_TIMEOUT_MS', schema: int(1, 86_400_000), description: 'Job lease length', default: '30000' },
  { name: 'QUEUE_HEARTBEAT_INTERVAL_MS', schema: int(1, 86_400_000), description: 'Lease extension interval', default: '10000' },
  { name: 'QUEUE_MAX_RETRIES', schema: int(0, 100), description: 'Default retries after the first attempt', default: '3' },
  { name: 'QUEUE_SHUTDOWN_TIMEOUT_MS', schema: int(1, 3_600_000), description: 'Grace period for in-flight jobs on SIGTERM', default: '30000' },
  { name: 'QUEUE_JOB_TIMEOUT_MS', schema: int(1, 86_400_000), description: 'Default handler timeout', default: '300000' },
  { name: 'QUEUE_SWEEP_INTERVAL_MS', schema: int(1, 3_600_000), description: 'How often expired batches and leases are recovered', default: '5000' },
  { name: 'QUEUE_MAX_PAYLOAD_BYTES', schema: int(1, 15 * 1024 * 1024), description: 'Largest job data accepted', default: '1048576' },
  { name: 'DLQ_AUTO_MOVE', schema: bool, description: 'Move exhausted jobs to the dead-letter collection', default: 'true' },
  { name: 'DLQ_MAX_REPROCESS_ATTEMPTS', schema: int(0, 100), description: 'How often one DLQ entry may be reprocessed', default: '3' },
  { name: 'DLQ_CLEANUP_INTERVAL_MS', schema: int(1, 604_800_000), description: 'How often retention cleanup runs', default: '3600000' },
  { name: 'DLQ_RETENTION_DAYS', schema: int(1, 3650), description: 'Days a DLQ entry is kept', default: '30' },
  { name: 'HTTP_PORT', schema: int(0, 65535), description: 'Port of the worker\'s HTTP server (health, metrics, admin API); 0 turns it off', default: '8080' },
  { name: 'HTTP_HOST', schema: z.string().min(1), description: 'Address the HTTP server listens on', default: '0.0.0.0' },
  { name: 'ADMIN_TOKENS', schema: z.string().regex(/^[A-Za-z0-9_.@-]+:[^,:\s]{16,}(,[A-Za-z0-9_.@-]+:[^,:\s]{16,})*$/, 'name:token pairs separated by commas, tokens of 16+ characters'), description: 'Enables the admin API: name:token pairs; the name is the actor in audit entries (secret)', default: '' },
  { name: 'LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), description: 'pino log level', default: 'info' },
] as const;

type VariableName = (typeof ENVIRONMENT_VARIABLES)[number]['name'];
type VariableValues = { [K in (typeof ENVIRONMENT_VARIABLES)[number] as K['name']]?: z.output<K['schema']> };

export interface AdminToken {
  /** Who acts: recorded as `by` in every audit entry the token causes. */
  name: string;
  token: string;
}

export interface EnvironmentConfig {
  queue: QueueConfig;
  workerId: string;
  logLevel: string;
  http: { port: number; host: string; adminTokens: AdminToken[] };
}

/** Reads the documented variables; a bad value throws ConfigError naming the variable and what is allowed. */
export function loadConfig(env: Env = process.env): EnvironmentConfig {
  const values = parseVariables(env);
  if (!values.MONGO_URI) {
    throw new ConfigError('MONGO_URI is not set: give the MongoDB connection string, e.g. mongodb://127.0.0.1:27017/queue', [
      'MONGO_URI: required',
    ]);
  }
  const fromUrl = values.REDIS_URL ? parseRedisUrl(values.REDIS_URL) : {};
  const input: QueueConfigInput = {
    name: values.QUEUE_NAME,
    mongodb: { uri: values.MONGO_URI, dbName: values.MONGO_DB_NAME },
    redis: {
      host: values.QUEUE_REDIS_HOST ?? values.REDIS_HOST ?? fromUrl.host,
      port: values.QUEUE_REDIS_PORT ?? values.REDIS_PORT ?? fromUrl.port,
      password: values.QUEUE_REDIS_PASSWORD ?? values.REDIS_PASSWORD ?? fromUrl.password,
      db: values.QUEUE_REDIS_DB,
    },
    batch: { size: values.QUEUE_BATCH_SIZE, ttl: values.QUEUE_BATCH_TTL_MS },
    worker: {
      concurrency: values.QUEUE_WORKER_CONCURRENCY,
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
      cleanupInterval: values.DLQ_CLEANUP_INTERVAL_MS,
      retentionDays: values.DLQ_RETENTION_DAYS,
    },
    limits: { maxPayloadBytes: values.QUEUE_MAX_PAYLOAD_BYTES },
  };
  return {
    queue: resolveQueueConfig(input),
    workerId: values.WORKER_ID ?? `${hostname()}-${process.pid}`,
    logLevel: values.LOG_LEVEL ?? 'info',
    http: {
      port: values.HTTP_PORT ?? 8080,
      host: values.HTTP_HOST ?? '0.0.0.0',
      adminTokens: parseAdminTokens(values.ADMIN_TOKENS ?? ''),
    },
  };
}

/** `alice:tok1,ci-bot:tok2` (format checked by the variable's schema). One token per name and one name per token, so the actor a token records is never ambiguous. */
function parseAdminTokens(text: string): AdminToken[] {
  const tokens = text.split(',').filter(Boolean).map((pair) => {
    const [name, token] = pair.split(':');
    return { name, token };
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
    const raw = env[variable.name];
    if (raw === undefined || raw === '') continue;
    const parsed = variable.schema.safeParse(raw);
    if (parsed.success) values[variable.name] = parsed.data;
    else problems.push(`${variable.name}=${JSON.stringify(redactIfSecret(variable.name, raw))}: ${parsed.error.issues.map((i) => i.message).join(', ')}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid environment: ${problems.join('; ')}`, problems);
  }
  return values as VariableValues;
}

function redactIfSecret(name: VariableName, raw: string): string {
  return /PASSWORD|URI|URL|TOKEN/.test(name) ? '[redacted]' : raw;
}

function parseRedisUrl(url: string): { host?: string; port?: number; password?: string } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}
