import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EJSON } from 'bson';
import { cacheWarmJob } from '../../jobs/maintenance/cache-warm.job';
import { registerCacheWarmer, unregisterCacheWarmer } from '../../jobs/maintenance/cache-warmers';
import { cleanupJob, removeConfined } from '../../jobs/maintenance/cleanup.job';
import { shippedJobs } from '../../jobs';
import type { QueueManager } from '../../src/manager/queue-manager';
import { dlqCleanupIntervalMs } from '../../src/config/durations';
import { MaintenanceLoop } from '../../src/scheduler/maintenance-loop';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { handlerContext, withEnv } from './job-context';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('maintenance job handlers', () => {
  const harness = new QueueHarness('maintenance_jobs');
  let manager: QueueManager;
  let dir: string;
  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    for (const definition of shippedJobs) manager.registerJob(definition);
    dir = mkdtempSync(join(tmpdir(), 'maintenance-jobs-'));
  });
  afterAll(async () => {
    unregisterCacheWarmer('top_products');
    rmSync(dir, { recursive: true, force: true });
    await harness.stop();
  });

  it('cache_warm stores each warmer result in Redis under the namespace, with a TTL', async () => {
    await queuePartsOf(manager).connection.collection('products').insertMany([{ name: 'a', sold: 5 }, { name: 'b', sold: 9 }, { name: 'c', sold: 1 }]);
    registerCacheWarmer('top_products', { kind: 'query', collection: 'products', sort: { sold: -1 }, limit: 2 });
    const result = await cacheWarmJob.handle(cacheWarmJob.schema.parse({ warmers: ['top_products', 'queue_job_counts'], ttlMs: 60_000 }), handlerContext(manager));
    expect(result.keysWritten).toBe(2);
    const key = manager.keys.cacheValue('top_products');
    expect(key.startsWith(`${harness.namespace}:`)).toBe(true);
    const cached = EJSON.parse((await queuePartsOf(manager).redis.get(key))!) as Array<{ name: string }>;
    expect(cached.map((p) => p.name)).toEqual(['b', 'a']);
    const ttl = await queuePartsOf(manager).redis.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await expect(cacheWarmJob.handle(cacheWarmJob.schema.parse({ warmers: ['nope'] }), handlerContext(manager))).rejects.toMatchObject({ code: 'UNKNOWN_WARMER' });
  });

  it('cleanup removes what retention says, sparing unreviewed critical DLQ entries', async () => {
    const db = queuePartsOf(manager).connection;
    const old = new Date(Date.now() - 10 * 86_400_000);
    const jobs = db.collection('jobs');
    await jobs.insertMany([
      { jobId: 'old-done', queue: 'test', status: 'completed', completedAt: old },
      { jobId: 'new-done', queue: 'test', status: 'completed', completedAt: new Date() },
      { jobId: 'old-dead', queue: 'test', status: 'dead', failedAt: old },
      { jobId: 'recent-dead', queue: 'test', status: 'dead', failedAt: new Date(Date.now() - 86_400_000) },
      { jobId: 'old-dead-unrecorded', queue: 'test', status: 'dead', failedAt: old, dlqPending: true },
    ]);
    const dlq = db.collection('dead_letter_jobs');
    const longAgo = new Date(Date.now() - 100 * 86_400_000);
    await dlq.insertMany([
      { jobId: 'd1', queue: 'test', severity: 'low', review: null, movedAt: longAgo },
      { jobId: 'd2', queue: 'test', severity: 'critical', review: null, movedAt: longAgo },
      { jobId: 'd3', queue: 'test', severity: 'critical', review: { by: 'ana' }, movedAt: longAgo },
      { jobId: 'd4', queue: 'test', severity: 'low', review: null, movedAt: new Date() },
    ]);
    await db.collection('notifications').insertMany([
      { userId: 'u', readAt: old, createdAt: old },
      { userId: 'u', readAt: null, createdAt: old },
    ]);
    mkdirSync(join(dir, 'exports'), { recursive: true });
    writeFileSync(join(dir, 'exports', 'stale.csv'), 'a');
    writeFileSync(join(dir, 'exports', 'fresh.csv'), 'b');
    utimesSync(join(dir, 'exports', 'stale.csv'), old, old);
    const env = { EXPORT_DIR: join(dir, 'exports'), PROCESSED_DIR: join(dir, 'processed'), OUTBOX_DIR: join(dir, 'outbox'), CLEANUP_NOTIFICATION_AGE_DAYS: '7' };

    const dry = await withEnv(env, () => cleanupJob.handle(cleanupJob.schema.parse({ dryRun: true }), handlerContext(manager)));
    expect(dry).toMatchObject({ dryRun: true, completedJobs: 1, failedJobs: 1, dlqEntries: 2, files: 1, notifications: 1 });
    expect(await jobs.countDocuments({ jobId: 'old-done' })).toBe(1);

    const result = await withEnv(env, () => cleanupJob.handle(cleanupJob.schema.parse({}), handlerContext(manager)));
    expect(result).toMatchObject({ completedJobs: 1, failedJobs: 1, dlqEntries: 2, files: 1, notifications: 1 });
    // Failed jobs go after 7 days (their DLQ entry keeps the snapshot), never before their DLQ entry exists.
    expect((await jobs.find({}, { projection: { jobId: 1 } }).toArray()).map((j) => j.jobId).sort()).toEqual(['new-done', 'old-dead-unrecorded', 'recent-dead']);
    expect(await jobs.countDocuments({ jobId: 'old-done' })).toBe(0);
    expect((await dlq.find().toArray()).map((d) => d.jobId).sort()).toEqual(['d2', 'd4']);
    expect(existsSync(join(dir, 'exports', 'stale.csv'))).toBe(false);
    expect(existsSync(join(dir, 'exports', 'fresh.csv'))).toBe(true);
  });

  it('cleanup never deletes through a folder swapped for a link after it was listed', async () => {
    const root = join(dir, 'swap-exports');
    const outside = join(dir, 'swap-outside');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(root, 'sub', 'stale.csv'), 'listed');
    writeFileSync(join(root, 'kept-out.csv'), 'x');
    writeFileSync(join(outside, 'stale.csv'), 'not ours');
    const listed = [join(root, 'sub', 'stale.csv'), join(root, 'kept-out.csv')];
    // Between the listing and the deletion, the folder becomes a link to a folder outside.
    rmSync(join(root, 'sub'), { recursive: true });
    symlinkSync(outside, join(root, 'sub'));
    expect(await removeConfined(root, listed)).toBe(1);
    expect(existsSync(join(outside, 'stale.csv'))).toBe(true);
    expect(existsSync(join(root, 'kept-out.csv'))).toBe(false);
  });

  it('the worker schedules one cleanup per period across workers (a period jobId)', async () => {
    const first = new MaintenanceLoop(queuePartsOf(manager), harness.logger);
    const second = new MaintenanceLoop(queuePartsOf(manager), harness.logger);
    const at = Date.now();
    const added = await first.scheduleCleanup(at);
    expect(added).toBe(`cleanup:${Math.floor(at / dlqCleanupIntervalMs(manager.config))}`);
    expect(await second.scheduleCleanup(at)).toBeUndefined();
    await withEnv({ EXPORT_DIR: join(dir, 'exports'), PROCESSED_DIR: join(dir, 'processed'), OUTBOX_DIR: join(dir, 'outbox') }, async () => {
      await harness.worker(manager, 1);
      const doc = await waitFor(async () => {
        const d = await manager.jobRepository.findByJobId(added!);
        return d?.status === 'completed' ? d : null;
      }, 'the scheduled cleanup to run');
      expect(doc.result).toMatchObject({ dryRun: false });
    });
  });
});
