/**
 * Every TypeScript example of the enterprise README (seeds/004), as written there: only the
 * import paths differ, and the free variables it assumes come from the setup below. After each
 * example, what its comments and prose promise.
 */
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ENVIRONMENT_VARIABLES,
  JobPriority,
  JobStatus,
  QueueFactory,
  QueueJobType,
  QueueWorker,
  getDefaultQueueManager,
  loadConfig,
  resetDefaultQueueManager,
  resolveQueueConfig,
  type QueueConfig,
  type QueueManager,
} from '../../src';
import { documentedVariables } from '../../src/config/variable-catalog';
import { waitFor } from '../support/wait-for';
import { ExampleWorld, RECORDED_STEP, asEnvironment, captureConsole, loggedObject } from './support/example-world';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

const world = new ExampleWorld('doc_004');
const logger = world.logger;
const defaultLogger = world.logger;
let queueManager: QueueManager;
let queueCount = 0;

beforeAll(() => world.start());
beforeEach(async () => {
  queueCount += 1;
  queueManager = await world.queueManager(`doc004-${queueCount}`);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(world.harness.workers.splice(0).map((w) => w.stop(1_000)));
});
afterAll(async () => {
  await resetDefaultQueueManager();
  await world.stop();
});

/** The batch of a band in Redis holds the job id (README: jobs are "cached in Redis"). */
async function cachedIn(manager: QueueManager, jobId: string): Promise<boolean> {
  const keys = await queuePartsOf(manager).redis.keys('*batch*');
  for (const key of keys) {
    const type = await queuePartsOf(manager).redis.type(key);
    const members = type === 'zset' ? await queuePartsOf(manager).redis.zrange(key, 0, -1) : type === 'list' ? await queuePartsOf(manager).redis.lrange(key, 0, -1) : [];
    if (members.some((m) => m.includes(jobId))) return true;
  }
  return false;
}

describe('seeds/004: Quick Start', () => {
  test('1. Initialize Queue System', async () => {
    const config = world.config;

    // Initialize enterprise-grade queue system
    const queueManager = await getDefaultQueueManager(
      config,
      defaultLogger.child({ module: 'queue-system' })
    );

    // Or create with custom configuration
    const customQueue = await QueueFactory.createWithConfig(
      {
        name: 'custom-queue',
        mongodb: {
          enabled: true,
          connectionString: config.MONGO_URI
        },
        redis: {
          host: config.REDIS_HOST,
          port: config.REDIS_PORT,
          password: config.REDIS_PASSWORD,
          db: 1 // Queue uses DB 1
        },
        batch: {
          size: 50,
          ttl: 1800, // 30 minutes
          priorityLevels: {
            critical: { min: 15, max: 20 },
            high: { min: 10, max: 14 },
            normal: { min: 5, max: 9 },
            low: { min: 1, max: 4 }
          }
        }
      },
      logger
    );
    world.onStop(() => customQueue.close());

    // The singleton is the same manager on every call.
    expect(await getDefaultQueueManager(config, defaultLogger)).toBe(queueManager);
    expect((await queueManager.checkHealth()).overall).toBe('healthy');

    // "ttl: 1800, // 30 minutes": a loaded batch lives 30 minutes in Redis.
    const { jobId } = await customQueue.addJob({ type: 'email_send', data: { to: 'ttl@example.com', subject: 'TTL', body: 'batched for 30 minutes' }, priority: 15 });
    await customQueue.loadNextBatch();
    const keys = await queuePartsOf(customQueue).redis.keys('*custom-queue*batch*');
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.map((key) => queuePartsOf(customQueue).redis.pttl(key)));
    const ttl = Math.max(...ttls);
    expect(ttl).toBeGreaterThan(29 * 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 60_000);
    // priority 15 falls in the lower-case `critical` band, on Redis DB 1.
    expect((await customQueue.jobRepository.findByJobId(jobId))?.band).toBe('CRITICAL');
    expect(customQueue.config.redis.db).toBe(1);
  });

  test('2. Add Jobs with Automatic Batching', async () => {
    const output = captureConsole();

    // Business job - automatically persisted to MongoDB and cached in Redis
    const emailJob = await queueManager.addJob({
      type: 'email_send',
      data: {
        to: 'customer@company.com',
        subject: 'Order Confirmation #12345',
        body: 'Your order has been confirmed and will ship soon.',
        template: 'order_confirmation',
        variables: { orderNumber: '12345', customerName: 'John Doe' }
      },
      priority: 15, // CRITICAL priority
      maxAttempts: 5
    });

    console.log(`Job created: ${emailJob.jobId}`);

    expect(output.lines()).toEqual([`Job created: ${emailJob.jobId}`]);
    const stored = await queueManager.jobRepository.findByJobId(emailJob.jobId);
    expect(stored).toMatchObject({ type: 'email_send', priority: 15, band: 'CRITICAL', maxAttempts: 5 });
    expect(stored?.data).toMatchObject({ to: 'customer@company.com', body: 'Your order has been confirmed and will ship soon.' });
    expect(await cachedIn(queueManager, emailJob.jobId)).toBe(true);
  });

  test('3. Start Queue Worker', async () => {
    // Jobs waiting before the worker starts: ten LOW ones first, then one of each higher band.
    for (let n = 0; n < 10; n += 1) await queueManager.addJob({ type: RECORDED_STEP, data: { label: `low-${n}` }, priority: JobPriority.LOW });
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'normal' }, priority: JobPriority.NORMAL });
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'high' }, priority: JobPriority.HIGH });
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'critical' }, priority: JobPriority.CRITICAL });
    world.started.length = 0;

    // Start worker with batch processing
    const worker = new QueueWorker(
      queueManager,
      logger,
      5, // concurrency
      50, // batch size
      5000 // poll interval (5 seconds)
    );
    world.track(worker); // stopped after the test

    await worker.start();

    // Worker automatically processes jobs in priority order
    // CRITICAL → HIGH → NORMAL → LOW
    await waitFor(() => world.started.length === 13, 'all 13 jobs to run');
    expect(world.started.slice(0, 3)).toEqual(['critical', 'high', 'normal']);
    expect(world.started.slice(3).every((label) => label.startsWith('low-'))).toBe(true);
    expect(worker.getStats().isRunning).toBe(true);
  });

  test('4. Monitor Queue Performance', async () => {
    const worker = world.track(new QueueWorker(queueManager, logger, 5, 50, 5000));
    await worker.start();
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'done' } });
    await waitFor(() => worker.getStats().processedJobs === 1, 'one processed job');
    const output = captureConsole();

    // Get comprehensive queue statistics
    const stats = await queueManager.getQueueStats();

    console.log('📊 Queue Statistics:', {
      pending: stats.pending,
      processing: stats.processing,
      completed: stats.completed,
      failed: stats.failed,
      batchInfo: {
        currentBatch: stats.batchInfo?.currentBatch,
        totalBatches: stats.batchInfo?.totalBatches,
        cacheHitRate: stats.batchInfo?.cacheHitRate
      }
    });

    // Get worker statistics
    const workerStats = worker.getStats();

    console.log('👷 Worker Statistics:', {
      workerId: workerStats.workerId,
      isRunning: workerStats.isRunning,
      processedJobs: workerStats.processedJobs,
      failedJobs: workerStats.failedJobs,
      uptime: workerStats.uptime,
      currentJob: workerStats.currentJob
    });

    const queueStats = loggedObject(output.calls, '📊 Queue Statistics:');
    expect(queueStats).toMatchObject({ pending: 0, processing: 0, completed: 1, failed: 0 });
    const batchInfo = queueStats.batchInfo as Record<string, unknown>;
    expect(typeof batchInfo.currentBatch).toBe('number');
    expect(typeof batchInfo.totalBatches).toBe('number');
    expect(batchInfo.cacheHitRate).toEqual(expect.any(Number));
    const logged = loggedObject(output.calls, '👷 Worker Statistics:');
    expect(logged).toMatchObject({ workerId: worker.getStats().workerId, isRunning: true, processedJobs: 1, failedJobs: 0, currentJob: null });
    expect(logged.uptime).toEqual(expect.any(Number));
  });
});

describe('seeds/004: Dead Letter Queue (DLQ) Operations', () => {
  test('Automatic DLQ Processing: jobs that exhaust all retry attempts move to the DLQ with their context', async () => {
    const worker = world.track(new QueueWorker(queueManager, logger, 1, 10, 50));
    await worker.start();
    const { jobId } = await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'doomed', fail: true }, maxAttempts: 2, backoff: { type: 'fixed', delay: 10 } });
    const entry = await waitFor(() => queueManager.findDLQEntryByJobId(jobId), 'the DLQ entry');
    expect(entry).toMatchObject({ jobId, type: RECORDED_STEP, data: { label: 'doomed', fail: true } });
    expect(entry.errors.map((e) => e.message)).toEqual(['step doomed failed', 'step doomed failed']);
  });

  test('DLQ Monitoring & Recovery', async () => {
    // The failed job the example recovers: an email whose address needs fixing.
    const data = { to: 'Customer@Company.COM', subject: 'Order Confirmation #12345', template: 'order_confirmation' };
    await queueManager.addJob({ type: QueueJobType.EMAIL_SEND, data, priority: JobPriority.CRITICAL, jobId: 'failed-job-id', delay: 3_600_000 });
    await queueManager.moveToDLQ({ jobId: 'failed-job-id' }, 'smtp rejected the address');
    const output = captureConsole();

    // Get comprehensive DLQ statistics
    const dlqStats = await queueManager.getDLQStats();

    console.log('📊 DLQ Status:', {
      total: dlqStats.totalEntries,
      byJobType: dlqStats.byJobType,
      byFailureReason: dlqStats.byFailureReason,
      bySeverity: dlqStats.bySeverity,
      oldestEntry: dlqStats.oldestEntry
    });

    // Recover specific job after fixing the underlying issue
    const jobToRecover = await queueManager.findDLQEntryByJobId('failed-job-id');
    if (jobToRecover) {
      const newJob = await queueManager.reprocessDLQEntry(jobToRecover.id.toString(), 'admin_user', {
        // Apply corrections that resolve the original failure
        to: data.to.toLowerCase().trim(), // Fix email format
        maxAttempts: 3 // Reset retry count
      });
      console.log(`✅ Job reprocessed as: ${newJob.jobId}`);
    }

    // Batch recovery for systematic issues
    const criticalDLQJobs = await queueManager.getDLQEntriesBySeverity('critical', { limit: 10 });
    for (const dlqEntry of criticalDLQJobs) {
      await queueManager.markDLQAsReviewed(dlqEntry.id.toString(), 'admin_user');
    }

    const status = loggedObject(output.calls, '📊 DLQ Status:');
    expect(status).toMatchObject({ total: 1, byJobType: { email_send: 1 }, bySeverity: { critical: 1 } });
    expect(status.oldestEntry).toBeInstanceOf(Date);
    const reprocessed = output.lines().find((line) => line.startsWith('✅ Job reprocessed as: '));
    expect(reprocessed).toBeDefined();
    const newJobId = reprocessed!.slice('✅ Job reprocessed as: '.length);
    const newJob = await queueManager.jobRepository.findByJobId(newJobId);
    // The corrections fix the data and reset the retry count to 3 attempts.
    expect(newJob?.data).toMatchObject({ to: 'customer@company.com' });
    expect(newJob?.data).not.toHaveProperty('maxAttempts');
    expect(newJob?.maxAttempts).toBe(3);
    expect(newJob?.status).toBe(JobStatus.Pending);
    expect(criticalDLQJobs).toHaveLength(1);
    const reviewed = await queueManager.findDLQEntryByJobId('failed-job-id');
    expect(reviewed?.review?.by).toBe('admin_user');
  });
});

describe('seeds/004: System Components', () => {
  test('QueueManager (queue.manager.ts): key methods', async () => {
    const jobData = { type: RECORDED_STEP, data: { label: 'key-methods' }, priority: JobPriority.HIGH };
    const options = { size: 10 };
    const worker = 'admin-console';
    const reason = 'operator decision';
    const job = await queueManager.addJob(jobData);
    const jobId = job.jobId;

    // Key methods
    await queueManager.addJob(jobData); // Add new job
    await queueManager.loadNextBatch(options); // Load job batch by priority
    await queueManager.acquireLock(jobId, worker); // Distributed locking
    await queueManager.moveToDLQ(job, reason); // DLQ management
    await queueManager.getQueueStats(); // Performance metrics

    const entry = await queueManager.findDLQEntryByJobId(jobId);
    expect(entry).toMatchObject({ jobId, severity: 'high' });
    const stats = await queueManager.getQueueStats();
    expect(stats.failed).toBe(1);
    expect(stats.pending + stats.batched).toBe(1);
  });

  test('QueueWorker (queue.worker.ts): worker features', async () => {
    const manager = queueManager;
    const [concurrency, batchSize, pollInterval] = [2, 10, 50];
    await manager.addJob({ type: RECORDED_STEP, data: { label: 'one' } });

    // Worker features
    const worker = new QueueWorker(manager, logger, concurrency, batchSize, pollInterval);
    world.track(worker);
    await worker.start(); // Start processing
    await waitFor(() => worker.getStats().processedJobs === 1, 'the job to run');
    await worker.stop(); // Graceful shutdown
    const stats = worker.getStats(); // Worker statistics

    expect(stats).toMatchObject({ isRunning: false, processedJobs: 1, failedJobs: 0 });
  });

  test('QueueFactory (queue.factory.ts): factory methods', async () => {
    const config = world.config;
    const queueConfig = {
      name: 'factory-queue',
      mongodb: { enabled: true, connectionString: config.MONGO_URI },
      redis: { host: config.REDIS_HOST, port: config.REDIS_PORT, db: 1 },
    };

    // Factory methods
    const manager = await QueueFactory.createDefault(config, logger);
    const custom = await QueueFactory.createWithConfig(queueConfig, logger);
    const singleton = await getDefaultQueueManager(config, logger);
    world.onStop(() => manager.close());
    world.onStop(() => custom.close());
    expect(await getDefaultQueueManager(config, logger)).toBe(singleton);
    resetDefaultQueueManager(); // Reset for testing

    // createDefault uses the application's configuration: its MongoDB database and Redis.
    expect(manager.config.redis.port).toBe(config.REDIS_PORT);
    expect((await manager.checkHealth()).overall).toBe('healthy');
    expect(custom.config.name).toBe('factory-queue');
    await waitFor(() => !singleton.isStarted, 'the reset to close the singleton');
    expect(await getDefaultQueueManager(config, logger)).not.toBe(singleton);
  });
});

describe('seeds/004: Configuration', () => {
  test('Environment Variables: every name is one the product reads, with those meanings', () => {
    const block = `
MONGO_URI=mongodb://mongo:27017/fastify_db
REDIS_HOST=redis
REDIS_PORT=6379
REDIS_PASSWORD=
QUEUE_REDIS_DB=1
QUEUE_REDIS_HOST=
QUEUE_REDIS_PORT=
QUEUE_REDIS_PASSWORD=`;
    const env = parseEnvBlock(block);
    const known = new Set(documentedVariables().map((v) => v.name));
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    const queue = loadConfig(env).queue;
    expect(queue.redis).toMatchObject({ host: 'redis', port: 6379, db: 1 });
    expect(loadConfig({ ...env, QUEUE_REDIS_HOST: 'queue-redis', QUEUE_REDIS_PORT: '6380' }).queue.redis).toMatchObject({ host: 'queue-redis', port: 6380 });
  });

  test('Queue Configuration: the QueueConfig shape, units and defaults', () => {
    const config = world.config;
    const typed: Pick<QueueConfig, 'name' | 'mongodb' | 'redis'> = {
      name: 'documented', // Queue identifier
      mongodb: { enabled: true, connectionString: config.MONGO_URI },
      redis: { host: config.REDIS_HOST, port: config.REDIS_PORT },
    };
    const resolved = resolveQueueConfig(typed);
    expect(resolved.redis.db).toBe(1); // Defaults to 1 for queues
    expect(resolved.batch).toMatchObject({ size: 50, ttl: 1800 }); // jobs per batch; cache TTL in seconds
    expect(resolved.batch.priorityLevels).toEqual({
      critical: { min: 15, max: 20 },
      high: { min: 10, max: 14 },
      normal: { min: 5, max: 9 },
      low: { min: 1, max: 4 },
    });
    expect(resolved.worker).toMatchObject({ lockTimeout: 300000, heartbeatInterval: 30000, maxRetries: 3 }); // ms, ms
    expect(resolved.cache).toMatchObject({ namespace: 'queue', ttl: 1800, refreshThreshold: 0.8 });
    expect(resolved.dlq).toMatchObject({ autoMove: true, maxReprocessAttempts: 3, cleanupInterval: 24, retentionDays: 30 }); // hours, days
  });
});

describe('seeds/004: Monitoring & Health Checks', () => {
  test('Health Check Endpoint', async () => {
    const app = Fastify();
    world.onStop(() => app.close());

    // Fastify health check route
    app.get('/health/queue', async (request, reply) => {
      const health = await queueManager.checkHealth();
      const stats = await queueManager.getQueueStats();

      const statusCode = health.overall === 'healthy' ? 200 : health.overall === 'degraded' ? 206 : 503;

      return reply.status(statusCode).send({
        status: health.overall,
        components: {
          mongodb: health.mongodb,
          redis: health.redis,
          cache: health.cache
        },
        metrics: {
          queue: stats,
          dlq: await queueManager.getDLQStats()
        },
        timestamp: new Date().toISOString()
      });
    });

    const response = await app.inject({ method: 'GET', url: '/health/queue' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.status).toBe('healthy');
    expect(body.components.mongodb).toBeDefined();
    expect(body.components.redis).toBeDefined();
    expect(body.components.cache).toBeDefined();
    expect(body.metrics.queue).toMatchObject({ pending: 0, processing: 0, completed: 0, failed: 0 });
    expect(body.metrics.dlq.totalEntries).toBe(0);
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
  });
});

describe('seeds/004: Core Business Operations', () => {
  test('Email Processing', async () => {
    const output = captureConsole();

    // High priority transactional email
    const emailJob = await queueManager.addJob({
      type: QueueJobType.EMAIL_SEND,
      data: {
        to: 'customer@example.com',
        subject: 'Order Confirmation #12345',
        body: 'Your order has been confirmed and will be shipped soon.',
        template: 'order_confirmation',
        variables: { orderNumber: '12345', customerName: 'John Doe' }
      },
      priority: JobPriority.CRITICAL, // 20 - highest priority
      maxAttempts: 5,
      delay: 0,
      scheduledFor: new Date() // immediate processing
    });

    console.log(`Email job created: ${emailJob.jobId}`);

    expect(output.lines()).toEqual([`Email job created: ${emailJob.jobId}`]);
    expect(emailJob).toMatchObject({ priority: 20, band: 'CRITICAL', status: JobStatus.Pending });
    expect((await queueManager.jobRepository.findByJobId(emailJob.jobId))?.data).toMatchObject({ body: 'Your order has been confirmed and will be shipped soon.' });
  });

  test('User Notifications', async () => {
    // Multi-channel user notification
    const notificationJob = await queueManager.addJob({
      type: QueueJobType.USER_NOTIFICATION,
      data: {
        userId: 'user_123',
        title: 'Payment Received',
        message: 'Your payment of $99.99 has been processed successfully.',
        type: 'success',
        channels: ['push', 'email', 'sms']
      },
      priority: JobPriority.HIGH, // 15
      maxAttempts: 3
    });

    // The bands win over the comment's 15: JobPriority.HIGH lies in the HIGH band.
    expect(notificationJob).toMatchObject({ band: 'HIGH', status: JobStatus.Pending });
    const stored = await queueManager.jobRepository.findByJobId(notificationJob.jobId);
    expect(stored).toMatchObject({ maxAttempts: 3, data: { message: 'Your payment of $99.99 has been processed successfully.', type: 'success', channels: ['push', 'email', 'sms'] } });
  });

  test('Data Export & File Processing', async () => {
    // Large data export for customer
    const exportJob = await queueManager.addJob({
      type: QueueJobType.DATA_EXPORT,
      data: {
        userId: 'customer_456',
        format: 'csv',
        filters: {
          dateRange: '2024-01-01,2024-12-31',
          includeTransactions: true
        },
        outputPath: '/exports/customer_456_2024.csv'
      },
      priority: JobPriority.NORMAL, // 10
      maxAttempts: 2
    });

    // File processing after upload
    const fileJob = await queueManager.addJob({
      type: QueueJobType.FILE_PROCESS,
      data: {
        fileId: 'upload_789',
        filePath: '/uploads/user_avatar.jpg',
        operation: 'resize',
        options: { width: 200, height: 200, quality: 85 }
      },
      priority: JobPriority.NORMAL, // 10
      maxAttempts: 3
    });

    expect(exportJob.band).toBe('NORMAL');
    expect(fileJob.band).toBe('NORMAL');
    expect((await queueManager.jobRepository.findByJobId(exportJob.jobId))).toMatchObject({ maxAttempts: 2, data: { userId: 'customer_456', format: 'csv' } });
    expect((await queueManager.jobRepository.findByJobId(fileJob.jobId))).toMatchObject({ maxAttempts: 3, data: { fileId: 'upload_789', operation: 'resize' } });
  });
});

describe('seeds/004: Job Monitoring & Management', () => {
  test('Job Status Tracking', async () => {
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'tracked' }, jobId: 'job_12345', priority: 16, maxAttempts: 4 });
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'normal' }, priority: JobPriority.NORMAL });
    const output = captureConsole();

    // Get job by ID
    const job = await queueManager.jobRepository.findByJobId('job_12345');
    if (job) {
      console.log(`Job ${job.jobId} status: ${job.status}`);
      console.log(`Attempts: ${job.attempts}/${job.maxAttempts}`);
      console.log(`Created: ${job.createdAt}`);
      console.log(`Last processing: ${job.processingAt}`);
    }

    // Get jobs by status
    const pendingJobs = await queueManager.jobRepository.getJobsByStatus('pending', {
      limit: 50,
      sort: { priority: -1, createdAt: 1 }
    });

    // Get jobs by priority
    const criticalJobs = await queueManager.jobRepository.getJobsByPriority(
      15,
      20, // CRITICAL priority range
      { limit: 100 }
    );

    expect(output.lines().slice(0, 2)).toEqual(['Job job_12345 status: pending', 'Attempts: 0/4']);
    expect(output.lines()[2]).toMatch(/^Created: \w{3} \w{3} \d{2} \d{4}/);
    expect(pendingJobs.map((j) => j.jobId)[0]).toBe('job_12345');
    expect(pendingJobs).toHaveLength(2);
    expect(criticalJobs.map((j) => j.jobId)).toEqual(['job_12345']);
  });

  test('Bulk Operations', async () => {
    // A delayed job already waiting.
    const waiting = await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'delayed' }, delay: 60_000 });

    // Process multiple jobs of same type
    const emailJobs = [
      { to: 'user1@example.com', subject: 'Welcome', template: 'welcome' },
      { to: 'user2@example.com', subject: 'Welcome', template: 'welcome' },
      { to: 'user3@example.com', subject: 'Welcome', template: 'welcome' }
    ];

    for (const emailData of emailJobs) {
      await queueManager.addJob({
        type: QueueJobType.EMAIL_SEND,
        data: emailData,
        priority: JobPriority.NORMAL
      });
    }

    // Batch reschedule delayed jobs
    const delayedJobs = await queueManager.jobRepository.getScheduledJobs(
      new Date(), // current time
      { limit: 100 }
    );

    for (const job of delayedJobs) {
      await queueManager.jobRepository.rescheduleJob(
        job.jobId,
        new Date(Date.now() + 300000) // reschedule for 5 minutes from now
      );
    }

    const emails = await queueManager.jobRepository.getJobsByStatus(JobStatus.Pending);
    expect(emails.filter((j) => j.type === 'email_send').map((j) => (j.data as { to: string }).to).sort()).toEqual(['user1@example.com', 'user2@example.com', 'user3@example.com']);
    expect(delayedJobs.map((j) => j.jobId)).toContain(waiting.jobId);
    const moved = await queueManager.jobRepository.findByJobId(waiting.jobId);
    expect(moved?.status).toBe(JobStatus.Scheduled);
    expect(moved!.runAt.getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
  });
});

describe('seeds/004: Worker Management', () => {
  test('Single Worker Setup', async () => {
    const output = captureConsole();
    const exits: number[] = [];
    const listenersBefore = process.listeners('SIGTERM');

    // Configure worker for development
    const worker = new QueueWorker(
      queueManager,
      logger.child({ component: 'queue-worker' }),
      2, // concurrency: process 2 jobs simultaneously
      25, // batch size: load 25 jobs per batch
      5000 // poll interval: check for new jobs every 5 seconds
    );
    world.track(worker); // stopped after the test

    // Start processing
    await worker.start();
    console.log(`Worker started: ${worker.getStats().workerId}`);

    // Graceful shutdown
    process.on('SIGTERM', async () => {
      console.log('Received SIGTERM, shutting down worker gracefully...');
      await worker.stop();
      exits.push(0); // differs: the example calls process.exit(0), which would end the test runner
    });

    // A job added after start runs without waiting for the 5-second poll.
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'prompt' } });
    await waitFor(() => worker.getStats().processedJobs === 1, 'the job to run before the 5-second poll', 4_500);
    const handler = process.listeners('SIGTERM').find((l) => !listenersBefore.includes(l))!;
    process.removeListener('SIGTERM', handler);
    await (handler as () => Promise<void>)();

    expect(output.lines()).toEqual([`Worker started: ${worker.getStats().workerId}`, 'Received SIGTERM, shutting down worker gracefully...']);
    expect(worker.getStats().isRunning).toBe(false);
    expect(exits).toEqual([0]);
  });

  test('Multiple Workers (Production): the compose example\'s variables are what the worker reads', () => {
    const compose = { WORKER_ID: 'worker-1', WORKER_CONCURRENCY: '5', WORKER_BATCH_SIZE: '50' };
    const known = new Set(documentedVariables().map((v) => v.name));
    expect(Object.keys(compose).filter((name) => !known.has(name))).toEqual([]);
    const loaded = loadConfig({ MONGO_URI: world.config.MONGO_URI, ...compose });
    expect(loaded.workerId).toBe('worker-1');
    expect(loaded.queue.worker.concurrency).toBe(5);
    expect(loaded.queue.batch.size).toBe(50);
  });
});

describe('seeds/004: Health Monitoring', () => {
  test('System Health Checks', async () => {
    const output = captureConsole();

    // Comprehensive health monitoring
    const health = await queueManager.checkHealth();

    console.log('🏥 Queue System Health:', {
      overall: health.overall,           // 'healthy' | 'degraded' | 'unhealthy'

      components: {
        mongodb: {
          status: health.mongodb.status,     // 'connected' | 'disconnected'
          responseTime: health.mongodb.latency,
          collections: health.mongodb.collections
        },

        redis: {
          status: health.redis.status,       // 'connected' | 'disconnected'
          responseTime: health.redis.latency,
          database: health.redis.database,
          memory: health.redis.memory
        },

        cache: {
          status: health.cache.status,       // 'operational' | 'degraded'
          hitRate: health.cache.hitRate,
          entriesCount: health.cache.entries
        }
      },

      performance: {
        avgProcessingTime: health.performance.avgProcessingTime,
        throughputPerMinute: health.performance.throughputPerMinute,
        successRate: health.performance.successRate
      }
    });

    // Alert thresholds
    const alerts = {
      critical: health.overall === 'unhealthy',
      warning: health.overall === 'degraded' || health.performance.successRate < 0.95,
      info: health.performance.throughputPerMinute < 100
    };

    const logged = loggedObject(output.calls, '🏥 Queue System Health:') as {
      overall: string;
      components: Record<string, Record<string, unknown>>;
      performance: Record<string, unknown>;
    };
    expect(logged.overall).toBe('healthy');
    expect(logged.components.mongodb).toMatchObject({ status: 'connected', responseTime: expect.any(Number) });
    expect(logged.components.mongodb.collections).toBeDefined();
    expect(logged.components.redis).toMatchObject({ status: 'connected', responseTime: expect.any(Number), database: 1 });
    expect(logged.components.redis.memory).toBeDefined();
    expect(logged.components.cache).toMatchObject({ status: 'operational', hitRate: expect.any(Number), entriesCount: expect.any(Number) });
    expect(logged.performance).toEqual({ avgProcessingTime: expect.any(Number), throughputPerMinute: expect.any(Number), successRate: expect.any(Number) });
    expect(alerts.critical).toBe(false);
    expect(typeof alerts.warning).toBe('boolean');
    expect(typeof alerts.info).toBe('boolean');
  });
});

describe('seeds/004: Testing & Development', () => {
  test('Running Tests and Local Development Setup: the documented scripts exist', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> };
    const documented = ['test:queue', 'test:integration', 'docker:dev:up', 'worker:queue', 'queue:monitor'];
    expect(documented.filter((script) => !(pkg.scripts[script]?.length > 0))).toEqual([]);
  });

  test('Development Tools', async () => {
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'old' } });
    await queueManager.moveToDLQ((await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'old-dead' } })), 'cleared below');
    const output = captureConsole();

    // Reset queues for testing
    await resetDefaultQueueManager();

    // Clear all jobs (use with caution!)
    await queueManager.jobRepository.deleteMany({});
    await queueManager.dlqRepository.deleteMany({});

    // Seed test jobs
    const testJobs = await Promise.all([
      queueManager.addJob({
        type: QueueJobType.EMAIL_SEND,
        data: { to: 'test@example.com', subject: 'Test', body: 'Test email' },
        priority: JobPriority.NORMAL
      }),

      queueManager.addJob({
        type: QueueJobType.USER_NOTIFICATION,
        data: { userId: 'test_user', title: 'Test', message: 'Test notification' },
        priority: JobPriority.HIGH
      })
    ]);

    console.log(`Created ${testJobs.length} test jobs`);

    expect(output.lines()).toEqual(['Created 2 test jobs']);
    const stats = await queueManager.getQueueStats();
    expect(stats.total).toBe(2);
    expect((await queueManager.getDLQStats()).totalEntries).toBe(0);
  });
});

describe('seeds/004: Performance Tuning', () => {
  test('Batch Size Optimization', async () => {
    // Optimize batch size based on job complexity
    const batchSizes = {
      EMAIL_SEND: 100, // Simple, fast processing
      USER_NOTIFICATION: 75, // Medium complexity
      DATA_EXPORT: 25, // Heavy processing
      FILE_PROCESS: 10 // Resource intensive
    };

    // Dynamic batch sizing
    const worker = new QueueWorker(
      queueManager,
      logger,
      5, // concurrency
      50, // default batch size - will be adjusted per job type
      3000 // faster polling for high throughput
    );
    world.track(worker); // stopped after the test

    expect(Object.keys(batchSizes).every((name) => name in QueueJobType)).toBe(true);
    expect(worker.batchSize).toBe(50);
    expect(worker.pollIntervalMs).toBe(3000);
    await worker.start();
    await queueManager.addJob({ type: RECORDED_STEP, data: { label: 'fast' } });
    await waitFor(() => worker.getStats().processedJobs === 1, 'the job to run before the 3-second poll', 2_900);
  });

  test('Priority Level Tuning', async () => {
    const config = world.config;

    // Fine-tuned priority levels for business needs
    const priorityConfig = {
      batch: {
        priorityLevels: {
          critical: { min: 18, max: 20 }, // Emergency: payment failures, security alerts
          high: { min: 14, max: 17 }, // Important: order confirmations, user notifications
          normal: { min: 8, max: 13 }, // Standard: marketing emails, reports
          low: { min: 1, max: 7 } // Background: cleanup, cache warming
        }
      }
    };

    const tuned = await QueueFactory.createWithConfig(
      {
        name: 'tuned-queue',
        mongodb: { enabled: true, connectionString: config.MONGO_URI },
        redis: { host: config.REDIS_HOST, port: config.REDIS_PORT, db: 1 },
        ...priorityConfig,
      },
      logger
    );
    world.onStop(() => tuned.close());
    tuned.registerJob(queueManager.registry.get(RECORDED_STEP)!);
    const bands = [];
    for (const priority of [18, 17, 14, 13, 8, 7, 1]) bands.push((await tuned.addJob({ type: RECORDED_STEP, data: { label: `p${priority}` }, priority })).band);
    expect(bands).toEqual(['CRITICAL', 'HIGH', 'HIGH', 'NORMAL', 'NORMAL', 'LOW', 'LOW']);
  });

  test('Memory & CPU Optimization', () => {
    const config = world.config;

    // Production-optimized configuration
    const productionConfig = {
      batch: {
        size: 100, // Larger batches for efficiency
        ttl: 900 // 15 minutes cache TTL
      },

      worker: {
        lockTimeout: 600000, // 10 minutes for long-running jobs
        heartbeatInterval: 15000, // 15 second heartbeat
        maxRetries: 5
      },

      cache: {
        ttl: 1200, // 20 minutes default TTL
        refreshThreshold: 0.75 // Refresh at 75% TTL
      },

      dlq: {
        cleanupInterval: 12, // Cleanup every 12 hours
        retentionDays: 90 // Keep DLQ entries for 3 months
      }
    };

    const resolved = resolveQueueConfig({
      name: 'production',
      mongodb: { enabled: true, connectionString: config.MONGO_URI },
      redis: { host: config.REDIS_HOST, port: config.REDIS_PORT },
      ...productionConfig,
    });
    expect(resolved.batch).toMatchObject({ size: 100, ttl: 900 });
    expect(resolved.worker).toMatchObject({ lockTimeout: 600000, heartbeatInterval: 15000, maxRetries: 5 });
    expect(resolved.cache).toMatchObject({ ttl: 1200, refreshThreshold: 0.75 });
    expect(resolved.dlq).toMatchObject({ cleanupInterval: 12, retentionDays: 90 });
  });
});

describe('seeds/004: Production Deployment', () => {
  test('Environment Configuration: every variable is known and sets what it names', () => {
    const block = `
NODE_ENV=production
MONGO_URI=mongodb://mongo-cluster:27017/fastify_prod?replicaSet=rs0
REDIS_HOST=redis-cluster
REDIS_PORT=6379
REDIS_PASSWORD=secure_redis_password
QUEUE_REDIS_DB=1
QUEUE_WORKER_CONCURRENCY=10
QUEUE_BATCH_SIZE=100
QUEUE_POLL_INTERVAL=2000
LOG_LEVEL=info
HEALTH_CHECK_ENABLED=true
METRICS_ENABLED=true`;
    const env = parseEnvBlock(block);
    const known = new Set([...documentedVariables().map((v) => v.name), ...ENVIRONMENT_VARIABLES.map((v) => v.name)]);
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    const loaded = loadConfig(env);
    expect(loaded.queue.worker).toMatchObject({ concurrency: 10, pollInterval: 2000 });
    expect(loaded.queue.batch.size).toBe(100);
    expect(loaded.queue.redis).toMatchObject({ host: 'redis-cluster', port: 6379, password: 'secure_redis_password', db: 1 });
    expect(loaded.logLevel).toBe('info');
  });

  test('Kubernetes Deployment: the container\'s variables are what the worker reads', () => {
    const container = { WORKER_CONCURRENCY: '10', WORKER_BATCH_SIZE: '100' };
    const known = new Set(documentedVariables().map((v) => v.name));
    expect(Object.keys(container).filter((name) => !known.has(name))).toEqual([]);
    const loaded = loadConfig(asEnvironment({ MONGO_URI: world.config.MONGO_URI, ...container }));
    expect(loaded.queue.worker.concurrency).toBe(10);
    expect(loaded.queue.batch.size).toBe(100);
  });
});

/** `NAME=value` lines of a documented .env block (comments and blanks skipped). */
function parseEnvBlock(block: string): Record<string, string> {
  return Object.fromEntries(
    block
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1).trim()]),
  );
}
