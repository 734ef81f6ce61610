import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { resolveQueueConfig, type QueueConfig, type QueueConfigInput } from '../../src/config/queue-config';
import { LocalRedisServer, type LocalRedisOptions } from '../../src/devservers/redis';
import { defineJob, type JobContext, type JobDefinition } from '../../src/domain/job-definition';
import { PermanentJobError, RetryJobError } from '../../src/errors';
import { createLogger, silentLogger, type Logger } from '../../src/logging/logger';
import { type QueueManager } from '../../src/manager/queue-manager';
import { QueueWorker } from '../../src/worker/queue-worker';
import { testMongoUri, uniqueDbName } from './mongo';
import { queuePartsOf, createQueueManager } from '../../src/composition/create-queue-manager';

/** Test logger: silent unless TEST_LOG_LEVEL is set. */
export function testLogger(): Logger {
  return process.env.TEST_LOG_LEVEL ? createLogger({ level: process.env.TEST_LOG_LEVEL, name: 'test' }) : silentLogger();
}

/** Everything a handler run did, for assertions. */
export interface RunRecord {
  jobId: string;
  label: string;
  attempt: number;
  workerId: string;
  startedAt: number;
}

/**
 * A configurable test job type: `label` for ordering assertions, `failTimes` failures before
 * success, `permanent` to fail permanently, `retryAfterMs` to ask for a retry, `holdMs` to run
 * for a while (respecting the signal), `ignoreSignal` to hang past a timeout.
 */
export const testJobSchema = z.object({
  label: z.string().default(''),
  failTimes: z.number().int().min(0).default(0),
  permanent: z.boolean().default(false),
  retryAfterMs: z.number().int().min(0).optional(),
  holdMs: z.number().int().min(0).default(0),
  ignoreSignal: z.boolean().default(false),
  value: z.number().optional(),
});

export function testJobDefinition(runs: RunRecord[], type = 'test_job'): JobDefinition {
  return defineJob({
    type,
    schema: testJobSchema,
    defaults: { maxAttempts: 3, backoff: { type: 'fixed', delay: 10 } },
    async handle(data, context: JobContext) {
      runs.push({ jobId: context.jobId, label: data.label, attempt: context.attempt, workerId: context.workerId, startedAt: Date.now() });
      if (data.holdMs > 0) await hold(data.holdMs, data.ignoreSignal ? undefined : context.signal);
      if (data.permanent) throw new PermanentJobError(`permanent failure of ${data.label}`, 'TEST_PERMANENT');
      if (data.retryAfterMs !== undefined && context.attempt === 1) throw new RetryJobError('asked to retry', data.retryAfterMs);
      if (context.attempt <= data.failTimes) {
        const error = new Error(`attempt ${context.attempt} of ${data.label} failed`);
        (error as Error & { code: string }).code = 'TEST_FAILURE';
        throw error;
      }
      return { label: data.label, doubled: (data.value ?? 0) * 2 };
    },
  });
}

function hold(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });
}

/** A Redis deployment of several servers (sentinels, a cluster) that a harness's queues use instead of its single server. */
export interface RedisTopology {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The queue's redis settings that reach the topology. */
  redisConfig(): NonNullable<QueueConfigInput['redis']>;
}

export interface HarnessOptions {
  /** How the private redis-server differs from a plain one (e.g. commands renamed away). */
  redis?: LocalRedisOptions;
  /** Queues connect to this topology instead of the harness's single server (which then is not started). */
  topology?: RedisTopology;
}

/** One test file's private world: its own redis-server, database and key namespace. */
export class QueueHarness {
  readonly redis: LocalRedisServer;
  readonly topology: RedisTopology | undefined;
  readonly dbName: string;
  readonly namespace: string;
  readonly runs: RunRecord[] = [];
  readonly managers: QueueManager[] = [];
  readonly workers: QueueWorker[] = [];
  readonly logger = testLogger();

  constructor(prefix: string, options: HarnessOptions = {}) {
    this.redis = new LocalRedisServer(options.redis);
    this.topology = options.topology;
    this.dbName = uniqueDbName(prefix);
    this.namespace = `t${randomBytes(4).toString('hex')}`;
  }

  async start(): Promise<this> {
    await (this.topology ?? this.redis).start();
    return this;
  }

  config(overrides: Partial<QueueConfigInput> = {}): QueueConfig {
    return resolveQueueConfig({
      name: 'test',
      mongodb: { uri: testMongoUri(), dbName: this.dbName },
      redis: this.topology ? { commandTimeoutMs: 1000, ...this.topology.redisConfig() } : { host: '127.0.0.1', port: this.redis.port, db: 0, commandTimeoutMs: 1000 },
      ...overrides,
      batch: { size: 50, ...overrides.batch },
      worker: { pollInterval: 50, sweepInterval: 100, lockTimeout: 2_000, heartbeatInterval: 200, shutdownTimeout: 5_000, ...overrides.worker },
      cache: { namespace: this.namespace, ...overrides.cache },
    });
  }

  async manager(overrides: Partial<QueueConfigInput> = {}): Promise<QueueManager> {
    const manager = createQueueManager(this.config(overrides), this.logger);
    manager.registerJob(testJobDefinition(this.runs));
    await manager.start();
    this.managers.push(manager);
    return manager;
  }

  async worker(manager: QueueManager, concurrency = 1, batchSize = 10): Promise<QueueWorker> {
    const worker = new QueueWorker(manager, this.logger, concurrency, batchSize, manager.config.worker.pollInterval);
    await worker.start();
    this.workers.push(worker);
    return worker;
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(1_000)));
    const first = this.managers[0];
    if (first?.isStarted) await queuePartsOf(first).connection.dropDatabase().catch(() => undefined);
    await Promise.all(this.managers.map((m) => m.close()));
    await (this.topology ?? this.redis).stop();
  }
}
