import { z } from 'zod';
import { batchRefreshAfterMs } from '../../src/config/durations';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import type { PriorityBand } from '../../src/domain/priority-band';
import { QueueFactory, getDefaultQueueManager, resetDefaultQueueManager } from '../../src/composition/queue-factory';
import type { QueueManager } from '../../src/manager/queue-manager';
import { MaintenanceLoop } from '../../src/scheduler/maintenance-loop';
import { QueueHarness } from '../support/queue-harness';
import { testMongoUri } from '../support/mongo';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

/**
 * The configuration examples of the product's documentation, passed verbatim, and what they do
 * once a manager runs: units (seconds, hours), band ranges, the MONGO_URI fallback, and the
 * batch renewal at cache.refreshThreshold of batch.ttl.
 */
describe('the documented configuration, in effect', () => {
  const harness = new QueueHarness('documented_config');
  const logger = harness.logger;
  const opened: QueueManager[] = [];
  const saved = { ...process.env };
  /** What an application's validated environment object holds (validateEnv's `config`). */
  let config: { MONGO_URI: string; REDIS_HOST: string; REDIS_PORT: number; REDIS_PASSWORD: string };

  beforeAll(async () => {
    await harness.start();
    config = { MONGO_URI: `${testMongoUri().replace(/\/?$/, '/')}${harness.dbName}`, REDIS_HOST: '127.0.0.1', REDIS_PORT: harness.redis.port, REDIS_PASSWORD: '' };
    // The documents' partial configurations take MongoDB and Redis from the environment.
    Object.assign(process.env, { MONGO_URI: config.MONGO_URI, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(harness.redis.port), QUEUE_NAMESPACE: harness.namespace });
  });
  afterAll(async () => {
    await resetDefaultQueueManager();
    for (const manager of opened) await manager.close();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    await harness.stop();
  });

  const track = (manager: QueueManager) => {
    opened.push(manager);
    return manager;
  };
  const noop = (type: string) => defineJob({ type, schema: z.object({}).passthrough(), handle: async () => null });

  async function batchedUntilOf(manager: QueueManager, jobId: string): Promise<Date | null | undefined> {
    return (await manager.jobRepository.findByJobId(jobId))?.batchedUntil;
  }

  /** Loads one job into its band as a batch: ids offered at addJob are dropped first, so the loader takes it. */
  async function loadAsBatch(manager: QueueManager, type: string, priority: number): Promise<string> {
    const { jobId, band } = await manager.addJob({ type, data: {}, priority });
    await queuePartsOf(manager).redis.del(manager.keys.band(band as PriorityBand));
    await manager.loadNextBatch();
    expect((await manager.jobRepository.findByJobId(jobId))?.status).toBe(JobStatus.Batched);
    return jobId;
  }

  it('runs the Quick Start createWithConfig object as written: batches live 1800 seconds', async () => {
    const customQueue = track(
      await QueueFactory.createWithConfig(
        {
          name: 'custom-queue',
          mongodb: {
            enabled: true,
            connectionString: config.MONGO_URI,
          },
          redis: {
            host: config.REDIS_HOST,
            port: config.REDIS_PORT,
            password: config.REDIS_PASSWORD,
            db: 1, // Queue uses DB 1
          },
          batch: {
            size: 50,
            ttl: 1800, // 30 minutes
            priorityLevels: {
              critical: { min: 15, max: 20 },
              high: { min: 10, max: 14 },
              normal: { min: 5, max: 9 },
              low: { min: 1, max: 4 },
            },
          },
        },
        logger,
      ),
    );
    customQueue.registerJob(noop('quick_start'));
    expect(customQueue.config.redis).toMatchObject({ db: 1, password: undefined });
    const before = Date.now();
    const jobId = await loadAsBatch(customQueue, 'quick_start', 15);
    const until = (await batchedUntilOf(customQueue, jobId))!.getTime();
    expect(until - before).toBeGreaterThanOrEqual(1_800_000 - 1_000);
    expect(until - Date.now()).toBeLessThanOrEqual(1_800_000);
    const keyTtl = await queuePartsOf(customQueue).redis.pttl(customQueue.keys.band('CRITICAL'));
    expect(keyTtl).toBeGreaterThan(1_800_000 - 60_000);
    expect(keyTtl).toBeLessThanOrEqual(1_800_000);
  });

  it('runs the Priority Level Tuning object as written: its bands decide where a priority goes', async () => {
    // Fine-tuned priority levels for business needs
    const priorityConfig = {
      batch: {
        priorityLevels: {
          critical: { min: 18, max: 20 }, // Emergency: payment failures, security alerts
          high: { min: 14, max: 17 }, // Important: order confirmations, user notifications
          normal: { min: 8, max: 13 }, // Standard: marketing emails, reports
          low: { min: 1, max: 7 }, // Background: cleanup, cache warming
        },
      },
    };
    const manager = track(await QueueFactory.createDefault({ ...priorityConfig, name: 'tuned' }, logger));
    manager.registerJob(noop('tuned_job'));
    const bands = await Promise.all([20, 17, 13, 7].map(async (priority) => (await manager.addJob({ type: 'tuned_job', data: {}, priority })).band));
    expect(bands).toEqual(['CRITICAL', 'HIGH', 'NORMAL', 'LOW']);
  });

  it('runs the Memory & CPU Optimization object as written: seconds, hours and the 75 % refresh', async () => {
    // Production-optimized configuration
    const productionConfig = {
      batch: {
        size: 100, // Larger batches for efficiency
        ttl: 900, // 15 minutes cache TTL
      },

      worker: {
        lockTimeout: 600000, // 10 minutes for long-running jobs
        heartbeatInterval: 15000, // 15 second heartbeat
        maxRetries: 5,
      },

      cache: {
        ttl: 1200, // 20 minutes default TTL
        refreshThreshold: 0.75, // Refresh at 75% TTL
      },

      dlq: {
        cleanupInterval: 12, // Cleanup every 12 hours
        retentionDays: 90, // Keep DLQ entries for 3 months
      },
    };
    const manager = track(await QueueFactory.createDefault({ ...productionConfig, name: 'production' }, logger));
    manager.registerJob(noop('production_job'));
    // Cached values (cache_warm, handlers) live 20 minutes.
    expect(manager.jobServices().settings.cacheTtlMs).toBe(20 * 60_000);
    // A loaded batch lives 15 minutes; its renewal mark lapses at 75 % of that.
    const jobId = await loadAsBatch(manager, 'production_job', 12);
    expect((await batchedUntilOf(manager, jobId))!.getTime() - Date.now()).toBeGreaterThan(15 * 60_000 - 60_000);
    const mark = await queuePartsOf(manager).redis.pttl(manager.keys.bandRenewal('HIGH'));
    expect(mark).toBeGreaterThan(0.75 * 15 * 60_000 - 60_000);
    expect(mark).toBeLessThanOrEqual(0.75 * 15 * 60_000);
    // Retention cleanup is scheduled once per 12-hour period.
    // The shipped `cleanup` type is registered by the factory.
    const at = Date.UTC(2026, 0, 1, 13);
    expect(await new MaintenanceLoop(queuePartsOf(manager), logger).scheduleCleanup(at)).toBe(`cleanup:${Math.floor(at / (12 * 3_600_000))}`);
    // New jobs get maxRetries + 1 attempts; the lease is 10 minutes.
    const added = await manager.addJob({ type: 'production_job', data: {} });
    expect((await manager.jobRepository.findByJobId(added.jobId))?.maxAttempts).toBe(6);
    expect(manager.config.worker.lockTimeout).toBe(600_000);
  });

  it("takes an application's environment object in getDefaultQueueManager and createDefault", async () => {
    const appConfig = { ...config, QUEUE_REDIS_DB: 1, NODE_ENV: 'production', PORT: 3000, JWT_SECRET: 'not-ours' };
    const manager = await getDefaultQueueManager(appConfig, logger);
    expect(await getDefaultQueueManager(appConfig, logger)).toBe(manager);
    expect(manager.config.mongodb.connectionString).toBe(config.MONGO_URI);
    expect(manager.config.redis).toMatchObject({ host: '127.0.0.1', port: harness.redis.port, db: 1 });
    expect((await manager.checkHealth()).overall).toBe('healthy');
    await resetDefaultQueueManager();
    await expect(QueueFactory.createDefault({ ...appConfig, REDIS_PORT: 'not-a-port' }, logger)).rejects.toThrow(/REDIS_PORT/);
  });

  it('renews a band once its batch is cache.refreshThreshold of batch.ttl old, before it expires', async () => {
    const manager = track(await QueueFactory.createDefault({ name: 'renewal', batch: { ttl: 2 }, cache: { refreshThreshold: 0.5 } }, logger));
    manager.registerJob(noop('renewed_job'));
    expect(batchRefreshAfterMs(manager.config)).toBe(1_000);
    const jobId = await loadAsBatch(manager, 'renewed_job', 7);
    const first = (await batchedUntilOf(manager, jobId))!.getTime();
    // Within the first half of the TTL a load leaves the batch alone.
    await manager.loadNextBatch();
    expect((await batchedUntilOf(manager, jobId))!.getTime()).toBe(first);
    // Past it, the next load renews the batch: still batched, later deadline, band TTL restarted.
    const renewed = await waitFor(async () => {
      await manager.loadNextBatch();
      const until = (await batchedUntilOf(manager, jobId))!.getTime();
      return until > first ? until : null;
    }, 'the batch to be renewed', 10_000);
    const job = await manager.jobRepository.findByJobId(jobId);
    expect(job?.status).toBe(JobStatus.Batched);
    expect(renewed).toBeLessThan(first + 2_000 + 10_000);
    expect(job?.history.some((h) => h.reason === 'batch expired')).toBe(false);
    expect(await queuePartsOf(manager).redis.pttl(manager.keys.band('NORMAL'))).toBeGreaterThan(0);
  });

  it('does not wait for a 30-minute batch when Redis loses it: flushed or down, its jobs run at once', async () => {
    const manager = track(await QueueFactory.createDefault({ name: 'lost' }, logger));
    manager.registerJob(noop('lost_job'));
    expect(manager.config.batch.ttl).toBe(1800);
    const flushed = await loadAsBatch(manager, 'lost_job', 3);
    await queuePartsOf(manager).redis.flushdb();
    const back = await waitFor(async () => {
      await manager.loadNextBatch();
      const job = await manager.jobRepository.findByJobId(flushed);
      return job?.history.some((h) => h.reason === 'batch lost from redis') ? job : null;
    }, 'the lost batch to return', 15_000);
    expect([JobStatus.Pending, JobStatus.Batched]).toContain(back.status);

    const stranded = await loadAsBatch(manager, 'lost_job', 4);
    await harness.redis.kill();
    await waitFor(() => !manager.lifecycle.redisUsable, 'the manager to notice Redis is down');
    const sweep = await new MaintenanceLoop(queuePartsOf(manager), logger).sweep();
    expect(sweep.expiredBatches).toBeGreaterThanOrEqual(1);
    expect((await manager.jobRepository.findByJobId(stranded))?.status).toBe(JobStatus.Pending);
    await harness.redis.start(harness.redis.port);
    await waitFor(() => manager.lifecycle.redisUsable, 'redis to come back', 15_000);
  });
});
