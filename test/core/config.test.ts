import { loadConfig, ENVIRONMENT_VARIABLES } from '../../src/config/environment';
import { resolveQueueConfig } from '../../src/config/queue-config';
import { isApplicationEnvironment, resolveDefaultConfig } from '../../src/config/default-config';
import { batchRefreshAfterMs, batchTtlMs, cacheTtlMs, dlqCleanupIntervalMs } from '../../src/config/durations';
import { ConfigError } from '../../src/errors';
import { bandOf, DEFAULT_PRIORITY_LEVELS, JobPriority } from '../../src/domain/priority-band';

const DOCUMENTED_LEVELS = {
  critical: { min: 15, max: 20 },
  high: { min: 10, max: 14 },
  normal: { min: 5, max: 9 },
  low: { min: 1, max: 4 },
};

describe('configuration', () => {
  it('fills every documented default, in the documented units', () => {
    const config = resolveQueueConfig({ mongodb: { connectionString: 'mongodb://127.0.0.1:27017/x' } }, {});
    expect(config.name).toBe('default');
    expect(config.mongodb).toMatchObject({ enabled: true, connectionString: 'mongodb://127.0.0.1:27017/x' });
    expect(config.redis).toMatchObject({ host: '127.0.0.1', port: 6379, db: 1 });
    expect(config.batch).toEqual({ size: 50, ttl: 1800, priorityLevels: DOCUMENTED_LEVELS });
    expect(config.worker).toMatchObject({ lockTimeout: 300_000, heartbeatInterval: 30_000, maxRetries: 3 });
    expect(config.cache).toEqual({ namespace: 'queue', ttl: 1800, refreshThreshold: 0.8 });
    expect(config.dlq).toEqual({ autoMove: true, maxReprocessAttempts: 3, cleanupInterval: 24, retentionDays: 30 });
    expect(batchTtlMs(config)).toBe(30 * 60_000);
    expect(cacheTtlMs(config)).toBe(30 * 60_000);
    expect(dlqCleanupIntervalMs(config)).toBe(24 * 3_600_000);
    expect(batchRefreshAfterMs(config)).toBe(24 * 60_000);
  });

  it('converts each documented unit exactly where it is used', () => {
    const config = resolveQueueConfig({ mongodb: { connectionString: 'mongodb://h/x' }, batch: { ttl: 1800 }, cache: { ttl: 1200, refreshThreshold: 0.75 }, dlq: { cleanupInterval: 12 } }, {});
    expect(batchTtlMs(config)).toBe(1_800_000); // batches live 30 minutes
    expect(cacheTtlMs(config)).toBe(1_200_000); // cached values live 20 minutes
    expect(dlqCleanupIntervalMs(config)).toBe(12 * 3_600_000); // cleanup every 12 hours
    expect(batchRefreshAfterMs(config)).toBe(1_350_000); // refresh at 75 % of 30 minutes
  });

  it('rejects a malformed config with every problem named', () => {
    const attempt = () =>
      resolveQueueConfig({
        mongodb: { uri: 'postgres://nope' },
        redis: { port: 70000 },
        worker: { lockTimeout: 1000, heartbeatInterval: 5000 },
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/mongodb\.uri/);
      expect(problems).toMatch(/redis\.port/);
      expect(problems).toMatch(/worker\.heartbeatInterval/);
    }
  });

  it('accepts the older names as aliases, and names both when they disagree', () => {
    const viaAliases = resolveQueueConfig({ mongodb: { uri: 'mongodb://h/x' }, batch: { priorityLevels: { CRITICAL: { min: 18, max: 20 }, high: { min: 14, max: 17 } } } }, {});
    expect(viaAliases.mongodb.connectionString).toBe('mongodb://h/x');
    expect(viaAliases.batch.priorityLevels.critical).toEqual({ min: 18, max: 20 });
    expect(viaAliases.batch.priorityLevels.high).toEqual({ min: 14, max: 17 });
    expect(viaAliases.batch.priorityLevels.normal).toEqual({ min: 5, max: 9 });
    // Same value under both names: fine.
    expect(resolveQueueConfig({ mongodb: { uri: 'mongodb://h/x', connectionString: 'mongodb://h/x' } }, {}).mongodb.connectionString).toBe('mongodb://h/x');
    expect(() => resolveQueueConfig({ mongodb: { uri: 'mongodb://a/x', connectionString: 'mongodb://b/x' } }, {})).toThrow(/connectionString and its alias mongodb\.uri/);
    expect(() =>
      resolveQueueConfig({ mongodb: { uri: 'mongodb://h/x' }, batch: { priorityLevels: { low: { min: 1, max: 4 }, LOW: { min: 1, max: 3 } } } }, {}),
    ).toThrow(/low and its alias LOW/);
  });

  it('refuses mongodb.enabled: false, saying why and what to do', () => {
    expect(() => resolveQueueConfig({ mongodb: { enabled: false, connectionString: 'mongodb://h/x' } }, {})).toThrow(ConfigError);
    expect(() => resolveQueueConfig({ mongodb: { enabled: false, connectionString: 'mongodb://h/x' } }, {})).toThrow(/mongodb\.enabled: MongoDB is the source of truth.*set it to true/);
  });

  it('falls back to MONGO_URI, and names both when neither is given', () => {
    expect(resolveQueueConfig({}, { MONGO_URI: 'mongodb://env/x' }).mongodb.connectionString).toBe('mongodb://env/x');
    expect(resolveQueueConfig({ mongodb: { connectionString: 'mongodb://code/x' } }, { MONGO_URI: 'mongodb://env/x' }).mongodb.connectionString).toBe('mongodb://code/x');
    expect(() => resolveQueueConfig({ name: 'q' }, {})).toThrow(/mongodb\.connectionString: not set, and MONGO_URI is not in the environment/);
  });

  it('rejects unknown fields (a typo is not silently ignored) and takes numeric strings for ports', () => {
    expect(() => resolveQueueConfig({ mongodb: { uri: 'mongodb://h/x' }, batch: { sise: 10 } } as never, {})).toThrow(/sise/);
    expect(resolveQueueConfig({ mongodb: { uri: 'mongodb://h/x' }, redis: { port: '6390' as never, password: '' } }, {}).redis).toMatchObject({ port: 6390, password: undefined });
  });

  it('reads the compose and Kubernetes names of worker settings, refusing two names that disagree', () => {
    const base = { MONGO_URI: 'mongodb://db/app' };
    expect(loadConfig({ ...base, WORKER_CONCURRENCY: '7', WORKER_BATCH_SIZE: '40' }).queue).toMatchObject({ worker: { concurrency: 7 }, batch: { size: 40 } });
    expect(loadConfig({ ...base, WORKER_CONCURRENCY: '7', QUEUE_WORKER_CONCURRENCY: '7' }).queue.worker.concurrency).toBe(7);
    expect(() => loadConfig({ ...base, WORKER_CONCURRENCY: '5', QUEUE_WORKER_CONCURRENCY: '10' })).toThrow(/QUEUE_WORKER_CONCURRENCY=10 and WORKER_CONCURRENCY=5/);
    expect(() => loadConfig({ ...base, WORKER_BATCH_SIZE: '50', QUEUE_BATCH_SIZE: '100' })).toThrow(/QUEUE_BATCH_SIZE=100 and WORKER_BATCH_SIZE=50/);
  });

  it('reads the documented monitoring and environment variables', () => {
    const base = { MONGO_URI: 'mongodb://db/app' };
    expect(loadConfig({ ...base, HEALTH_CHECK_ENABLED: 'false', METRICS_ENABLED: 'false' }).http).toMatchObject({ healthCheck: false, metrics: false });
    expect(loadConfig({ ...base, NODE_ENV: 'development' })).toMatchObject({ nodeEnv: 'development', logLevel: 'debug' });
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).logLevel).toBe('info');
    expect(() => loadConfig({ ...base, METRICS_ENABLED: 'yes' })).toThrow(/METRICS_ENABLED/);
    // Environment units are milliseconds; the configuration's are seconds and hours.
    const queue = loadConfig({ ...base, QUEUE_BATCH_TTL_MS: '900000', DLQ_CLEANUP_INTERVAL_MS: '43200000' }).queue;
    expect(queue.batch.ttl).toBe(900);
    expect(queue.dlq.cleanupInterval).toBe(12);
  });

  it("tells an application's environment object from a partial QueueConfig", () => {
    expect(isApplicationEnvironment({ MONGO_URI: 'mongodb://h/x', REDIS_PORT: 6379, JWT_SECRET: 'x' })).toBe(true);
    expect(isApplicationEnvironment({ batch: { size: 10 } })).toBe(false);
    expect(isApplicationEnvironment({})).toBe(false);
    expect(() => isApplicationEnvironment({ MONGO_URI: 'mongodb://h/x', batch: {} })).toThrow(/mixes environment variables \(MONGO_URI\) with QueueConfig sections \(batch\)/);
    const fromEnvObject = resolveDefaultConfig({ MONGO_URI: 'mongodb://app/x', REDIS_HOST: 'cache', REDIS_PORT: 6380, QUEUE_BATCH_SIZE: 100 }, { MONGO_URI: 'mongodb://process/x', QUEUE_NAME: 'from-process' });
    expect(fromEnvObject).toMatchObject({ name: 'from-process', mongodb: { connectionString: 'mongodb://app/x' }, redis: { host: 'cache', port: 6380 }, batch: { size: 100 } });
    const fromPartial = resolveDefaultConfig({ mongodb: { uri: 'mongodb://code/x' }, worker: { maxRetries: 5 } }, { MONGO_URI: 'mongodb://process/x', QUEUE_WORKER_CONCURRENCY: '9' });
    expect(fromPartial).toMatchObject({ mongodb: { connectionString: 'mongodb://code/x' }, worker: { maxRetries: 5, concurrency: 9 } });
  });

  it('rejects overlapping priority bands', () => {
    expect(() =>
      resolveQueueConfig({
        mongodb: { uri: 'mongodb://h/x' },
        redis: {},
        batch: { priorityLevels: { high: { min: 9, max: 14 } } },
      }),
    ).toThrow(/priorityLevels\.normal: must lie below high/);
  });

  it('maps the environment, with queue-specific Redis overrides', () => {
    const env = loadConfig({
      MONGO_URI: 'mongodb://db:27017/app',
      REDIS_HOST: 'cache',
      REDIS_PORT: '6380',
      QUEUE_REDIS_HOST: 'queue-cache',
      QUEUE_REDIS_DB: '3',
      WORKER_ID: 'w-1',
      QUEUE_WORKER_CONCURRENCY: '8',
      QUEUE_BATCH_SIZE: '250',
      QUEUE_POLL_INTERVAL: '200',
      DLQ_AUTO_MOVE: 'false',
      LOG_LEVEL: 'debug',
    });
    expect(env.workerId).toBe('w-1');
    expect(env.logLevel).toBe('debug');
    expect(env.queue.redis).toMatchObject({ host: 'queue-cache', port: 6380, db: 3 });
    expect(env.queue.worker.concurrency).toBe(8);
    expect(env.queue.batch.size).toBe(250);
    expect(env.queue.worker.pollInterval).toBe(200);
    expect(env.queue.dlq.autoMove).toBe(false);
  });

  it('reads REDIS_URL', () => {
    const env = loadConfig({ MONGO_URI: 'mongodb://db/app', REDIS_URL: 'redis://:s3cret@redis.local:6390' });
    expect(env.queue.redis).toMatchObject({ host: 'redis.local', port: 6390, password: 's3cret' });
  });

  it('names the variable and what is allowed when a value is bad, without echoing secrets', () => {
    expect(() => loadConfig({ MONGO_URI: 'mongodb://db/app', QUEUE_WORKER_CONCURRENCY: 'many' })).toThrow(/QUEUE_WORKER_CONCURRENCY="many"/);
    expect(() => loadConfig({ MONGO_URI: 'mongodb://db/app', QUEUE_REDIS_DB: '42' })).toThrow(/QUEUE_REDIS_DB.*15/);
    expect(() => loadConfig({ MONGO_URI: 'mongodb://db/app', LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({})).toThrow(/MONGO_URI is not set/);
    try {
      loadConfig({ MONGO_URI: 'mongodb://db/app', REDIS_URL: 'http://:hunter2@x' });
    } catch (error) {
      expect((error as Error).message).toMatch(/REDIS_URL/);
      expect((error as Error).message).not.toMatch(/hunter2/);
    }
  });

  it('documents every variable once', () => {
    const names = ENVIRONMENT_VARIABLES.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const variable of ENVIRONMENT_VARIABLES) expect(variable.description.length).toBeGreaterThan(5);
  });

  it('places each JobPriority value inside its own band', () => {
    expect(bandOf(JobPriority.CRITICAL, DEFAULT_PRIORITY_LEVELS)).toBe('CRITICAL');
    expect(bandOf(JobPriority.HIGH, DEFAULT_PRIORITY_LEVELS)).toBe('HIGH');
    expect(bandOf(JobPriority.NORMAL, DEFAULT_PRIORITY_LEVELS)).toBe('NORMAL');
    expect(bandOf(JobPriority.LOW, DEFAULT_PRIORITY_LEVELS)).toBe('LOW');
    expect(bandOf(0, DEFAULT_PRIORITY_LEVELS)).toBeUndefined();
    expect(bandOf(21, DEFAULT_PRIORITY_LEVELS)).toBeUndefined();
  });
});
