/**
 * The named-queue API document (seeds/000): its examples as written (only imports differ, free
 * variables come from the setup), then what its prose promises of getQueue, Queue<T>, consumer
 * groups, priorities, delays, retries, deduplication, shutdown, statistics, config migrations,
 * the InMemoryQueue and a custom QueuePlugin.
 */
import Redis from 'ioredis';
import { z } from 'zod';
import {
  InMemoryQueue,
  memoryQueueConfigSchema,
  type ConsumeOptions,
  type Queue,
  type QueueConsumer,
  type QueueJob,
  type QueueManager,
  type QueuePlugin,
  type QueueStats,
} from '../../src';
import { holdsThroughout, waitFor } from '../support/wait-for';
import { ExampleWorld } from './support/example-world';
import {
  PermissionCache,
  exports,
  healthChecks,
  freshNamedQueuePerTest,
  namedQueueManager,
  type ExportJob,
  type HealthCheckData,
  type PermissionSyncData,
} from './support/pattern-fixtures';

const world = new ExampleWorld('doc_000');
let queueManager: QueueManager;
/** A queue name no other test of this file uses (each test gets a fresh manager too). */
let name: string;
freshNamedQueuePerTest(world, 'doc000', (manager, queueName) => {
  queueManager = manager;
  name = queueName;
});

describe('seeds/000: Overview and Concepts', () => {
  test('Jobs: a consumed job carries id, data, priority, timestamp (a Date) and attempts', async () => {
    const queue = queueManager.getQueue<{ n: number }>(name);
    const seen: Array<QueueJob<{ n: number }>> = [];
    await queue.consume(async (job) => void seen.push(job), { consumerGroup: 'g' });
    const id = await queue.enqueue({ n: 1 }, { priority: 3 });
    await waitFor(() => seen.length === 1, 'the job');
    const job = seen[0];
    expect(job).toMatchObject({ id, data: { n: 1 }, priority: 3 });
    expect(job.timestamp).toBeInstanceOf(Date);
    expect(typeof job.attempts).toBe('number');
  });

  test('Priorities: higher values are processed first, regardless of enqueue order', async () => {
    const queue = queueManager.getQueue<string>(name);
    const order: string[] = [];
    await queue.enqueue('low', { priority: 1 });
    await queue.enqueue('high', { priority: 50 });
    await queue.enqueue('default');
    await queue.consume(async (job) => void order.push(job.data), { consumerGroup: 'g', concurrency: 1 } as ConsumeOptions);
    await waitFor(() => order.length === 3, 'three jobs');
    expect(order).toEqual(['high', 'low', 'default']);
  });
});

describe('seeds/000: Architecture', () => {
  test('QueuePluginRegistry: register, getPlugin (undefined when unknown), getPlugins', () => {
    const registry = queueManager.queuePlugins;
    expect(registry.getPlugins().map((p) => p.id)).toEqual(expect.arrayContaining(['memory']));
    expect(registry.getPlugin('memory')?.displayName).toEqual(expect.any(String));
    expect(registry.getPlugin('no-such-plugin')).toBeUndefined();
  });

  test('QueueManager: getQueue, getActivePlugin, setActiveBackend, polling, in-flight count, recurring jobs, shutdown', async () => {
    const queue = queueManager.getQueue<number>(name);
    expect(queueManager.getQueue<number>(name)).toBe(queue); // stable reference
    expect(queueManager.getActivePlugin()).toBe('engine');
    await queueManager.setActiveBackend('memory', { delayMultiplier: 0.01 });
    expect(queueManager.getActivePlugin()).toBe('memory');
    queueManager.stopPolling();
    queueManager.startPolling(50);
    expect(await queueManager.getInFlightJobCount()).toBe(0);
    await queue.scheduleRecurring('tick', 1, 60);
    expect((await queueManager.listAllRecurringJobs()).map((r) => r.jobId)).toEqual(['tick']);
    await queueManager.shutdown();
  });

  test('QueueProxy: a queue reference survives a backend switch and its subscriptions are replayed', async () => {
    const queue = queueManager.getQueue<number>(name);
    const seen: number[] = [];
    await queue.consume(async (job) => void seen.push(job.data), { consumerGroup: 'g' });
    await queue.enqueue(1);
    await waitFor(() => seen.length === 1, 'the first job on the engine');
    await queueManager.setActiveBackend('memory', { delayMultiplier: 0.01 });
    await queue.enqueue(2);
    await waitFor(() => seen.length === 2, 'the second job on the memory backend');
    expect(seen).toEqual([1, 2]);
  });

  test('Queue Interface: recurring management, in-flight count, stats and connection test', async () => {
    const queue: Queue<{ systemId: string }> = queueManager.getQueue<{ systemId: string }>(name);
    await queue.scheduleRecurring('check:a', { systemId: 'a' }, 3600, { startDelay: 3600 });
    await queue.scheduleRecurring('check:b', { systemId: 'b' }, 3600);
    expect((await queue.listRecurringJobs()).sort()).toEqual(['check:a', 'check:b']);
    expect(await queue.getRecurringJobDetails('check:a')).toMatchObject({ jobId: 'check:a' });
    await queue.cancelRecurring('check:a');
    expect(await queue.listRecurringJobs()).toEqual(['check:b']);
    expect(await queue.getRecurringJobDetails('check:a')).toBeUndefined();
    expect(await queue.getInFlightCount()).toBe(0);
    await expect(queue.testConnection()).resolves.not.toThrow();
    await queue.stop();
  });
});

describe('seeds/000: How It Works Internally', () => {
  test('Delayed Job Execution', async () => {
    const queue = queueManager.getQueue<{ report: string }>(name);
    const ranAt: number[] = [];
    await queue.consume(async () => void ranAt.push(Date.now()), { consumerGroup: 'g' });
    const data = { report: 'daily' };
    const enqueuedAt = Date.now();

    await queue.enqueue(data, { startDelay: 60 }); // Available in 60 seconds

    // 60 s × the test's delayMultiplier of 0.01 = 600 ms.
    await holdsThroughout(() => ranAt.length === 0, 'the job waits for its delay', 300);
    await waitFor(() => ranAt.length === 1, 'the delayed job');
    expect(ranAt[0] - enqueuedAt).toBeGreaterThanOrEqual(540);
  });

  test('Retry Mechanism with Exponential Backoff: retries after 2, 4, 8 s, then marks the job failed', async () => {
    const queue = queueManager.getQueue<string>(name);
    const attempts: Array<{ attempts: number; at: number }> = [];
    await queue.consume(
      async (job) => {
        attempts.push({ attempts: job.attempts, at: Date.now() });
        throw new Error('unreliable API');
      },
      { consumerGroup: 'g', maxRetries: 3 },
    );
    await queue.enqueue('call');
    await waitFor(async () => (await queue.getStats()).failed === 1, 'the job to be marked failed');
    expect(attempts).toHaveLength(4);
    // Backoff 2^attempts × 1000 ms, scaled by 0.01: at least 20, 40, 80 ms between attempts.
    const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(36);
    expect(gaps[2]).toBeGreaterThanOrEqual(72);
  });

  test('Job Deduplication via jobId', async () => {
    const queue = queueManager.getQueue<{ systemId: string }>(name);
    const runs: string[] = [];
    await queue.consume(async (job) => void runs.push(job.id), { consumerGroup: 'g' });
    const data = { systemId: 'system-123' };

    const first = await queue.enqueue(data, { jobId: 'healthcheck:system-123' });
    const second = await queue.enqueue(data, { jobId: 'healthcheck:system-123' });

    expect(first).toBe('healthcheck:system-123');
    expect(second).toBe('healthcheck:system-123'); // ignored: returns the existing id
    await waitFor(() => runs.length === 1, 'the job');
    await holdsThroughout(() => runs.length === 1, 'the duplicate never runs', 300);
  });
});

describe('seeds/000: Behavior and Guarantees', () => {
  test('Consumer Group Isolation: a failure in one group does not affect another', async () => {
    const queue = queueManager.getQueue<number>(name);
    const good: number[] = [];
    await queue.consume(async () => {
      throw new Error('always fails');
    }, { consumerGroup: 'failing', maxRetries: 0 });
    await queue.consume(async (job) => void good.push(job.data), { consumerGroup: 'healthy', maxRetries: 5 });
    await queue.enqueue(7);
    await waitFor(() => good.length === 1, 'the healthy group');
    await waitFor(async () => (await queue.getStats()).failed === 1, 'the failing group to give up');
    expect(good).toEqual([7]);
  });

  test('Graceful Shutdown: stop() waits for the jobs in progress', async () => {
    const queue = queueManager.getQueue<number>(name);
    let release: () => void = () => undefined;
    let finished = false;
    await queue.consume(async () => {
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    }, { consumerGroup: 'g' });
    await queue.enqueue(1);
    await waitFor(async () => (await queue.getInFlightCount()) === 1, 'the job to start');
    let stopped = false;
    const stopping = queue.stop().then(() => (stopped = true));
    await holdsThroughout(() => !stopped, 'stop() to wait for the running job', 100);
    release();
    await stopping;
    expect(finished).toBe(true);
  });

  test('Statistics and Monitoring: getStats returns the QueueStats counts', async () => {
    const queue = queueManager.getQueue<number>(name);
    await queue.consume(async () => undefined, { consumerGroup: 'a' });
    await queue.consume(async () => undefined, { consumerGroup: 'b' });
    await queue.enqueue(1);
    await waitFor(async () => (await queue.getStats()).completed === 2, 'both groups to complete the job');
    const stats: QueueStats = await queue.getStats();
    // The documented counts (the per-group detail rides along under `groups`).
    expect(stats).toMatchObject({ pending: 0, processing: 0, completed: 2, failed: 0, consumerGroups: 2 });
  });

  test('Configuration Versioning and Migrations: an old config is migrated, then validated', async () => {
    await queueManager.setActiveBackend('memory', { configVersion: 1, timeScale: 0.01 });
    const queue = queueManager.getQueue<string>(name);
    const ranAt: number[] = [];
    await queue.consume(async () => void ranAt.push(Date.now()), { consumerGroup: 'g' });
    const start = Date.now();
    await queue.enqueue('soon', { startDelay: 10 }); // 10 s × 0.01 after migration
    await waitFor(() => ranAt.length === 1, 'the migrated delay multiplier to apply', 5_000);
    expect(ranAt[0] - start).toBeLessThan(5_000);
    await expect(queueManager.setActiveBackend('memory', { configVersion: 2, concurrency: 0 })).rejects.toThrow(/concurrency/);
  });
});

// Step 1: Define Your Configuration Schema (as the document writes it)
const redisConfigSchema = z.object({
  host: z.string().default('localhost').describe('Redis server hostname'),
  port: z.number().min(1).max(65535).default(6379).describe('Redis server port'),
  password: z.string().optional().describe('Redis password (if required)'),
  db: z.number().min(0).default(0).describe('Redis database number'),
  maxRetries: z.number().min(0).default(3).describe('Default max retries for jobs'),
});

type RedisQueueConfig = z.infer<typeof redisConfigSchema>;

// Step 2: Implement the Queue Interface
class RedisQueue<T> implements Queue<T> {
  private redis: Redis;
  private stopped = false;
  // differs: state of the consume loop the document omits
  private consumers: Array<{ consumer: QueueConsumer<T>; options: ConsumeOptions }> = [];
  private loop?: NodeJS.Timeout;
  private stats = { completed: 0, failed: 0, processing: 0 };

  constructor(private name: string, private config: RedisQueueConfig) {
    // Initialize Redis connection
    this.redis = new Redis({
      host: config.host,
      port: config.port,
      password: config.password,
      db: config.db,
    });
  }

  async enqueue(
    data: T,
    options?: { priority?: number; delaySeconds?: number; jobId?: string }
  ): Promise<string> {
    const jobId = options?.jobId ?? crypto.randomUUID();
    const job: QueueJob<T> = {
      id: jobId,
      data,
      priority: options?.priority ?? 0,
      timestamp: new Date(),
      attempts: 0,
    };

    // Check for duplicates
    if (options?.jobId) {
      const exists = await this.redis.exists(`job:${this.name}:${jobId}`);
      if (exists) return jobId;
    }

    // Store job data
    await this.redis.set(`job:${this.name}:${jobId}`, JSON.stringify(job));

    // Add to priority queue
    const score = options?.priority ?? 0;
    const member = jobId;

    if (options?.delaySeconds) {
      const availableAt = Date.now() + options.delaySeconds * 1000;
      await this.redis.zadd(`delayed:${this.name}`, availableAt, member);
    } else {
      await this.redis.zadd(`queue:${this.name}`, -score, member); // Negative for descending
    }

    return jobId;
  }

  async consume(consumer: QueueConsumer<T>, options: ConsumeOptions): Promise<void> {
    // Register consumer and start polling loop
    // differs: the document omits the implementation; a minimal one: one group, one job per poll,
    // retries up to config.maxRetries by re-adding the job with its attempts counted; the first poll
    // comes a second later, so the document's test enqueues all three jobs before one is taken
    this.consumers.push({ consumer, options });
    this.loop ??= setTimeout(() => void this.poll(), 1_000);
  }

  // differs: the polling loop consume() starts (omitted by the document)
  private async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      const due = await this.redis.zrangebyscore(`delayed:${this.name}`, 0, Date.now());
      for (const id of due) {
        const stored = JSON.parse((await this.redis.get(`job:${this.name}:${id}`)) ?? 'null') as QueueJob<T> | null;
        await this.redis.zrem(`delayed:${this.name}`, id);
        if (stored) await this.redis.zadd(`queue:${this.name}`, -(stored.priority ?? 0), id);
      }
      const [id] = await this.redis.zpopmin(`queue:${this.name}`);
      if (id !== undefined) {
        const raw = await this.redis.get(`job:${this.name}:${id}`);
        const job = JSON.parse(raw ?? 'null') as QueueJob<T> & { timestamp: string };
        const { consumer, options } = this.consumers[0];
        this.stats.processing += 1;
        try {
          await consumer({ ...job, timestamp: new Date(job.timestamp) });
          this.stats.completed += 1;
        } catch {
          const attempts = (job.attempts ?? 0) + 1;
          if (attempts <= (options.maxRetries ?? this.config.maxRetries)) {
            await this.redis.set(`job:${this.name}:${id}`, JSON.stringify({ ...job, attempts }));
            await this.redis.zadd(`delayed:${this.name}`, Date.now() + 2 ** attempts * 10, id);
          } else {
            this.stats.failed += 1;
          }
        } finally {
          this.stats.processing -= 1;
        }
      }
    } catch (error) {
      if (!this.stopped) throw error;
    }
    if (!this.stopped) this.loop = setTimeout(() => void this.poll(), 10);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.loop); // differs: also ends the polling loop the document omits
    await this.redis.quit();
  }

  async getStats(): Promise<QueueStats> {
    const pending = await this.redis.zcard(`queue:${this.name}`);
    const delayed = await this.redis.zcard(`delayed:${this.name}`);
    // Implementation details omitted
    return { pending: pending + delayed, processing: 0, completed: 0, failed: 0, consumerGroups: 0 };
  }

  // differs: the rest of the document's Queue interface, which its RedisQueue leaves out: no recurring jobs in this backend
  async scheduleRecurring(): Promise<void> {
    throw new Error('RedisQueue: recurring jobs are not supported');
  }
  async cancelRecurring(): Promise<void> {
    throw new Error('RedisQueue: recurring jobs are not supported');
  }
  async listRecurringJobs(): Promise<string[]> {
    return [];
  }
  async getRecurringJobDetails(): Promise<undefined> {
    return undefined;
  }
  async getInFlightCount(): Promise<number> {
    return this.stats.processing;
  }
  async testConnection(): Promise<void> {
    await this.redis.ping();
  }
}

// Step 3: Implement the QueuePlugin Interface
class RedisQueuePlugin implements QueuePlugin<RedisQueueConfig> {
  id = 'redis';
  displayName = 'Redis Queue';
  description = 'Production-ready queue backed by Redis';
  configVersion = 1;
  configSchema = redisConfigSchema;

  createQueue<T>(name: string, config: RedisQueueConfig): Queue<T> {
    return new RedisQueue<T>(name, config);
  }
}

describe('seeds/000: Implementing Custom Queue Plugins', () => {
  test('Step 1: Define Your Configuration Schema', () => {
    expect(redisConfigSchema.parse({})).toEqual({ host: 'localhost', port: 6379, db: 0, maxRetries: 3 });
    expect(() => redisConfigSchema.parse({ port: 70000 })).toThrow();
  });

  test('Step 4: Register the Plugin', async () => {
    const logger = world.logger;
    const queueRegistry = queueManager.queuePlugins;
    // differs: createBackendPlugin/coreServices belong to the document's host framework, not to this
    // product; the init body runs as written against the manager's plugin registry
    const init = async ({ logger, queueRegistry }: { logger: typeof world.logger; queueRegistry: typeof queueManager.queuePlugins }) => {
      logger.debug('🔌 Registering Redis Queue Plugin...');
      queueRegistry.register(new RedisQueuePlugin());
    };
    await init({ logger, queueRegistry });

    expect(queueRegistry.getPlugin('redis')?.displayName).toBe('Redis Queue');
    await queueManager.setActiveBackend('redis', { host: '127.0.0.1', port: world.harness.redis.port, db: 2 });
    expect(queueManager.getActivePlugin()).toBe('redis');
    const queue = queueManager.getQueue<number>(name);
    const seen: number[] = [];
    await queue.consume(async (job) => void seen.push(job.data), { consumerGroup: 'test-group' });
    await queue.enqueue(42);
    await waitFor(() => seen.length === 1, 'the job through the custom plugin');
    expect(seen).toEqual([42]);
  });

  // differs: the document imports describe/test/expect from 'bun:test'; these are jest's globals
  test('Step 6: Testing Your Plugin (should process jobs in priority order)', async () => {
    const defaultConfig = redisConfigSchema.parse({ port: world.harness.redis.port, db: 3 });
    const queue = new RedisQueue('test', defaultConfig);
    world.onStop(() => queue.stop());
    const processed: number[] = [];

    await queue.consume(async (job) => {
      processed.push(job.data as number);
    }, { consumerGroup: 'test-group' });

    await queue.enqueue(1, { priority: 5 });
    await queue.enqueue(2, { priority: 10 });
    await queue.enqueue(3, { priority: 1 });

    await waitFor(() => processed.length === 3, 'three processed jobs'); // differs: the document waits a fixed 100 ms here; this waits on the condition, with a deadline
    expect(processed).toEqual([2, 1, 3]); // Highest priority first
  });
});

describe('seeds/000: Practical Examples', () => {
  test('Example 1: InMemoryQueue configuration defaults', () => {
    expect(memoryQueueConfigSchema.parse({})).toMatchObject({ concurrency: 10, maxQueueSize: 10_000, delayMultiplier: 1 });
    expect(() => memoryQueueConfigSchema.parse({ concurrency: 101 })).toThrow();
    expect(() => memoryQueueConfigSchema.parse({ delayMultiplier: 2 })).toThrow();
  });

  test('Example 1: Testing Configuration: delayMultiplier', async () => {
    const queue = new InMemoryQueue('test-queue', {
      concurrency: 10,
      maxQueueSize: 100,
      delayMultiplier: 0.01, // 100x faster for testing
    });
    world.onStop(() => queue.stop());
    const ranAt: number[] = [];
    await queue.consume(async () => void ranAt.push(Date.now()), { consumerGroup: 'g' });
    const start = Date.now();
    await queue.enqueue('x', { startDelay: 5 });

    // Wait 50ms instead of 5s
    await waitFor(() => ranAt.length === 1, 'the job 5 s × 0.01 later', 2_000); // differs: the document sleeps 50 ms; a test waits on the condition
    expect(ranAt[0] - start).toBeGreaterThanOrEqual(45);
    expect(ranAt[0] - start).toBeLessThan(2_000);
  });

  test('Example 3 Pattern 1: Periodic Health Checks (Using Native Recurring Jobs)', async () => {
    const { runHealthCheck, saveHealthCheckResult, saved } = healthChecks();
    const configId = 'config-1';
    const systemId = 'system-1';

    // In healthcheck-backend plugin
    async function scheduleHealthCheck(queueManager: QueueManager, configId: string, systemId: string, intervalSeconds: number) {
      const queue = queueManager.getQueue<HealthCheckData>('health-checks');

      // Use deterministic job ID for deduplication
      const jobId = `healthcheck:${configId}:${systemId}`;

      // Schedule as recurring job - the queue handles rescheduling automatically
      await queue.scheduleRecurring(
        jobId,
        { configId, systemId },
        intervalSeconds,
        { startDelay: 0 } // Run immediately the first time
      );
    }

    // Consumer (work-queue mode - only one instance runs each check)
    const queue = queueManager.getQueue<HealthCheckData>('health-checks');
    await queue.consume(async (job) => {
      const { configId, systemId } = job.data;

      // Execute health check
      const result = await runHealthCheck(configId, systemId);

      // Store result
      await saveHealthCheckResult(systemId, result);

      // No need to manually reschedule - scheduleRecurring handles this!
    }, {
      consumerGroup: 'health-checks',  // Shared group = work queue
      maxRetries: 0,                    // Don't retry (next interval will run anyway)
    });

    await scheduleHealthCheck(queueManager, configId, systemId, 30);
    await scheduleHealthCheck(queueManager, configId, systemId, 30); // deduplicated by its id
    // 30 s × 0.01: several runs within a few seconds, the first at once.
    await waitFor(() => saved.length >= 3, 'three health check runs');
    expect(saved.every((s) => s.systemId === systemId && s.result.healthy)).toBe(true);
    expect(await queue.listRecurringJobs()).toEqual([`healthcheck:${configId}:${systemId}`]);
  });

  test('Example 3 Pattern 2: Distributed Permission Sync (broadcast to every instance)', async () => {
    const instances = ['instance-a', 'instance-b', 'instance-c'];
    const caches = new Map<string, PermissionCache>();
    // differs: the block runs in three application instances; the trigger in the last one
    for (const instanceId of instances) {
      const queueManager = instanceId === 'instance-a' ? globalQueueManager() : await namedQueueManager(world, name);
      const permissionCache = new PermissionCache();
      caches.set(instanceId, permissionCache);

      // Broadcast pattern - all instances must sync
      const queue = queueManager.getQueue<PermissionSyncData>('permission-sync');

      await queue.consume(async (job) => {
        const { userId, roles } = job.data;

        // Update local permission cache
        await permissionCache.refresh(userId, roles);
      }, {
        consumerGroup: `permission-sync:${instanceId}`, // Unique per instance = broadcast
        maxRetries: 3,
      });

      if (instanceId === instances.at(-1)) {
        // Trigger sync from one instance
        await queue.enqueue({ userId: '123', roles: ['admin', 'editor'] });
        // All instances receive and process this
      }
    }

    await waitFor(() => [...caches.values()].every((cache) => cache.roles.has('123')), 'every instance to sync');
    for (const cache of caches.values()) expect(cache.roles.get('123')).toEqual(['admin', 'editor']);
  });

  test('Example 3 Pattern 3: Background Data Export', async () => {
    const { generateExport, sendExportReady, ready, generated } = exports();
    const userId = 'user-42';
    const systemIds = ['sys-1', 'sys-2'];

    // High-priority work queue for user-triggered exports
    const queue = queueManager.getQueue<ExportJob>('exports');

    await queue.consume(async (job) => {
      const { userId, systemIds, format } = job.data;

      // Generate export file
      const filePath = await generateExport(systemIds, format);

      // Notify user
      await sendExportReady(userId, filePath);
    }, {
      consumerGroup: 'exports',  // Work queue - any instance can handle
      maxRetries: 3,
    });

    // User triggers export (high priority)
    await queue.enqueue(
      { userId, systemIds, format: 'csv' },
      { priority: 100 } // Higher than routine tasks
    );

    await waitFor(() => ready.length === 1, 'the export notification');
    expect(generated).toEqual([{ systemIds, format: 'csv' }]);
    expect(ready).toEqual([{ userId, filePath: '/exports/sys-1-sys-2.csv' }]);
  });
});

function globalQueueManager(): QueueManager {
  return queueManager;
}
