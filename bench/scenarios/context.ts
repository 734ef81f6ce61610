/**
 * The bench's world: one MongoDB (MONGO_URI or the project's acquireMongo), one private
 * redis-server for the queue and another for BullMQ, plus factories that give every scenario
 * a fresh database / key namespace so runs never see each other's jobs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { z } from 'zod';
import { resolveQueueConfig, type QueueConfigInput } from '../../src/config/queue-config';
import { LocalRedisServer } from '../../src/devservers/redis';
import { defineJob } from '../../src/domain/job-definition';
import { silentLogger, type Logger } from '../../src/logging/logger';
import { type QueueManager } from '../../src/manager/queue-manager';
import { QueueWorker } from '../../src/worker/queue-worker';
import { withTimeout } from './measure';
import { spawnMongoChild } from './mongo-child';
import { queuePartsOf, createQueueManager } from '../../src/composition/create-queue-manager';

export const NOOP_TYPE = 'bench_noop';

/** Knobs, from the environment; every one bounds a count or a time. */
export interface BenchSettings {
  /** Jobs for bulk add and for each processing run (BENCH_JOBS, default 20,000). */
  jobs: number;
  /** Sequential single adds per side (BENCH_SINGLE_ADDS, default 2,000). */
  singleAdds: number;
  /** Steady producer rate and duration for add→start latency. */
  steadyRate: number;
  steadySeconds: number;
  /** Cap on one processing run, in seconds (BENCH_RUN_SECONDS, default 25). */
  runSeconds: number;
  /** Jobs for the command-count scenarios (single, bulk). */
  countSingleJobs: number;
  countBulkJobs: number;
  concurrencies: number[];
  /** Scenario names to run (BENCH_ONLY=single,bulk,...); empty = all. */
  only: Set<string>;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
    return Math.min(max, Math.max(min, Math.round(value)));
  };
  const jobs = int('BENCH_JOBS', 20_000, 100, 200_000);
  return {
    jobs,
    singleAdds: int('BENCH_SINGLE_ADDS', Math.min(2_000, jobs), 50, 50_000),
    steadyRate: int('BENCH_STEADY_RATE', 500, 10, 5_000),
    steadySeconds: int('BENCH_STEADY_SECONDS', jobs < 20_000 ? 5 : 10, 1, 60),
    runSeconds: int('BENCH_RUN_SECONDS', 25, 2, 300),
    countSingleJobs: int('BENCH_COUNT_SINGLE', Math.min(200, jobs), 10, 5_000),
    countBulkJobs: int('BENCH_COUNT_BULK', Math.min(5_000, jobs), 100, 50_000),
    concurrencies: (env.BENCH_CONCURRENCIES ?? '1,10,50')
      .split(',')
      .map((c) => Math.round(Number(c)))
      .filter((c) => Number.isFinite(c) && c >= 1 && c <= 1000),
    only: new Set((env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  };
}

export interface MongoHandle {
  uri: string;
  kind: string;
  /** The server's process, when it runs in one of its own (its CPU time is measured). */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * MONGO_URI when set; otherwise the project's acquireMongo() (memory-server or the embedded
 * server), by default in a child process of its own (BENCH_MONGO_PROCESS=inprocess runs it in
 * the bench's process instead). Loaded at run time so the BullMQ side still runs where that
 * module is missing.
 */
export async function acquireBenchMongo(logger: Logger): Promise<MongoHandle | { unavailable: string }> {
  const external = process.env.MONGO_URI;
  if (external) {
    if (!/^mongodb:\/\/(127\.0\.0\.1|localhost)[:/]/.test(external)) {
      return { unavailable: `MONGO_URI must point at 127.0.0.1 for the bench (got another host)` };
    }
    return { uri: external, kind: 'external (MONGO_URI)', stop: async () => undefined };
  }
  if (!existsSync(join(__dirname, '..', '..', 'src', 'devservers', 'mongo.ts'))) {
    return { unavailable: 'src/devservers/mongo.ts does not exist (yet)' };
  }
  if (process.env.BENCH_MONGO_PROCESS !== 'inprocess') {
    try {
      return await spawnMongoChild();
    } catch (error) {
      return { unavailable: `MongoDB child process failed: ${(error as Error).message.split('\n')[0]}` };
    }
  }
  let mod: { acquireMongo?: (options: { logger: Logger }) => Promise<MongoHandle> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../src/devservers/mongo') as typeof mod;
  } catch (error) {
    return { unavailable: `src/devservers/mongo could not be loaded (${(error as Error).message.split('\n')[0]})` };
  }
  if (typeof mod.acquireMongo !== 'function') return { unavailable: 'src/devservers/mongo has no acquireMongo()' };
  const mongo = await withTimeout(mod.acquireMongo({ logger }), 120_000, 'acquireMongo');
  return mongo;
}

/** One scenario's view of the world. */
export class BenchContext {
  readonly logger = silentLogger();
  readonly queueRedis = new LocalRedisServer();
  readonly bullRedis = new LocalRedisServer();
  mongo: MongoHandle | undefined;
  mongoUnavailable: string | undefined;
  private admin: { queue?: Redis; bull?: Redis } = {};
  private readonly managers = new Set<QueueManager>();
  private readonly workers = new Set<QueueWorker>();
  private readonly bullQueues = new Set<Queue>();
  private readonly bullWorkers = new Set<Worker>();

  constructor(readonly settings: BenchSettings) {}

  async start(): Promise<void> {
    await Promise.all([this.queueRedis.start(), this.bullRedis.start()]);
    this.admin.queue = new Redis({ host: '127.0.0.1', port: this.queueRedis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    this.admin.bull = new Redis({ host: '127.0.0.1', port: this.bullRedis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    await Promise.all([this.admin.queue.connect(), this.admin.bull.connect()]);
    const mongo = await acquireBenchMongo(this.logger);
    if ('unavailable' in mongo) this.mongoUnavailable = mongo.unavailable;
    else this.mongo = mongo;
  }

  get hasQueueSide(): boolean {
    return this.mongo !== undefined;
  }

  /** Admin client of the queue's or BullMQ's redis-server (INFO, FLUSHALL; not counted in any figure but INFO). */
  adminRedis(side: 'queue' | 'bull'): Redis {
    const client = this.admin[side];
    if (!client) throw new Error('bench context not started');
    return client;
  }

  /**
   * A started QueueManager on a database of its own, with the no-op job type registered.
   * `onStart(n)` runs at handler start (latency scenario); `monitorCommands` turns on the
   * driver's command monitoring for the MongoDB command counts.
   */
  async newManager(label: string, options: { onStart?: (n: number) => void; monitorCommands?: boolean; config?: Partial<QueueConfigInput> } = {}): Promise<QueueManager> {
    if (!this.mongo) throw new Error(`no MongoDB: ${this.mongoUnavailable ?? 'not started'}`);
    const suffix = randomBytes(4).toString('hex');
    const config = resolveQueueConfig({
      name: 'bench',
      ...options.config,
      mongodb: { uri: this.mongo.uri, dbName: `bench_${label}_${suffix}`.slice(0, 60), monitorCommands: options.monitorCommands ?? false },
      redis: { host: '127.0.0.1', port: this.queueRedis.port, db: 1 },
      cache: { namespace: `bench${suffix}` },
    });
    const manager = createQueueManager(config, this.logger);
    const onStart = options.onStart;
    manager.registerJob(
      defineJob({
        type: NOOP_TYPE,
        schema: z.object({ n: z.number() }),
        async handle(data) {
          onStart?.(data.n);
          return null;
        },
      }),
    );
    await withTimeout(manager.start(), 30_000, 'QueueManager.start');
    this.managers.add(manager);
    return manager;
  }

  async newWorker(manager: QueueManager, concurrency: number, batchSize = 50): Promise<QueueWorker> {
    const worker = new QueueWorker(manager, this.logger, concurrency, batchSize, manager.config.worker.pollInterval);
    this.workers.add(worker);
    await withTimeout(worker.start(), 30_000, 'QueueWorker.start');
    return worker;
  }

  async stopWorker(worker: QueueWorker): Promise<void> {
    this.workers.delete(worker);
    await withTimeout(worker.stop(5_000), 20_000, 'QueueWorker.stop').catch(() => undefined);
  }

  /** Drops the manager's database (frees the embedded server's memory) and closes it. */
  async disposeManager(manager: QueueManager): Promise<void> {
    this.managers.delete(manager);
    if (manager.isStarted) await withTimeout(queuePartsOf(manager).connection.dropDatabase(), 30_000, 'dropDatabase').catch(() => undefined);
    await withTimeout(manager.close(), 10_000, 'QueueManager.close').catch(() => undefined);
    await this.adminRedis('queue').flushall();
  }

  get bullConnection(): ConnectionOptions {
    return { host: '127.0.0.1', port: this.bullRedis.port, maxRetriesPerRequest: null };
  }

  newBullQueue(label: string): Queue {
    const queue = new Queue(`bench-${label}`, { connection: this.bullConnection, prefix: `bull${randomBytes(3).toString('hex')}` });
    this.bullQueues.add(queue);
    return queue;
  }

  /** A BullMQ worker on `queue` running the same no-op (with the same start hook). */
  newBullWorker(queue: Queue, concurrency: number, onStart?: (n: number) => void): Worker {
    const worker = new Worker(
      queue.name,
      async (job: Job<{ n: number }>) => {
        onStart?.(job.data.n);
        return null;
      },
      { connection: this.bullConnection, prefix: queue.opts.prefix, concurrency },
    );
    worker.on('error', () => undefined);
    this.bullWorkers.add(worker);
    return worker;
  }

  async stopBullWorker(worker: Worker): Promise<void> {
    this.bullWorkers.delete(worker);
    await withTimeout(worker.close(), 20_000, 'BullMQ Worker.close').catch(() => undefined);
  }

  async disposeBullQueue(queue: Queue): Promise<void> {
    this.bullQueues.delete(queue);
    await withTimeout(queue.close(), 10_000, 'BullMQ Queue.close').catch(() => undefined);
    await this.adminRedis('bull').flushall();
  }

  /** Stops everything still running, in dependency order; never throws. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.workers].map((w) => this.stopWorker(w)));
    await Promise.allSettled([...this.bullWorkers].map((w) => this.stopBullWorker(w)));
    await Promise.allSettled([...this.managers].map((m) => this.disposeManager(m)));
    await Promise.allSettled([...this.bullQueues].map((q) => this.disposeBullQueue(q)));
    this.admin.queue?.disconnect();
    this.admin.bull?.disconnect();
    await withTimeout(this.mongo?.stop() ?? Promise.resolve(), 30_000, 'mongo stop').catch(() => undefined);
    await Promise.allSettled([this.queueRedis.stop(), this.bullRedis.stop()]);
  }
}

/** Total calls per command from INFO commandstats (server-wide, includes commands run inside scripts). */
export async function redisCommandStats(client: Redis): Promise<Map<string, number>> {
  const text = await client.info('commandstats');
  const stats = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) stats.set(match[1], Number(match[2]));
  }
  return stats;
}

/** after − before per command, without the INFO calls of the measurement itself. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, calls] of after) {
    if (name === 'info') continue;
    const d = calls - (before.get(name) ?? 0);
    if (d > 0) delta[name] = d;
  }
  return delta;
}

export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
