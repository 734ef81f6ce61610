import { loadConfig, ENVIRONMENT_VARIABLES } from '../../src/config/environment';
import { resolveQueueConfig } from '../../src/config/queue-config';
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
