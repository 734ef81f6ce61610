/**
 * `pnpm demo`: adds a mix of jobs across the four priority bands (some of them failing into
 * the dead-letter queue), runs two workers, prints progress and a summary, reprocesses one
 * dead-lettered job with corrected data, shows the named-queue API (a broadcast to two consumer
 * groups, a recurring health check), and stops cleanly.
 *
 * With no MONGO_URI it starts a local MongoDB (mongodb-memory-server, or the embedded
 * server on a machine without mongod); with no REDIS_URL/REDIS_HOST, a private redis-server.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { acquireMongo, type AcquiredMongo } from '../src/devservers/mongo';
import { LocalRedisServer } from '../src/devservers/redis';
import { defineJob } from '../src/domain/job-definition';
import { BANDS_IN_ORDER, JobPriority } from '../src/domain/priority-band';
import { PermanentJobError } from '../src/errors';
import { createLogger } from '../src/logging/logger';
import { QueueFactory } from '../src/composition/queue-factory';
import { QueueWorker } from '../src/worker/queue-worker';

const JOBS = Number(process.env.DEMO_JOBS ?? 400);

/** Real work for the demo: hashes generated data; `corrupt` input fails permanently, `flaky` fails once. */
const checksumJob = defineJob({
  type: 'demo_checksum',
  description: 'sha256 over generated blocks',
  schema: z.object({ blocks: z.number().int().min(1).max(1000), seed: z.string(), corrupt: z.boolean().default(false), flaky: z.boolean().default(false) }),
  defaults: { maxAttempts: 3, backoff: { type: 'exponential', delay: 50 } },
  async handle(data, context) {
    if (data.corrupt) throw new PermanentJobError(`seed "${data.seed}" is marked corrupt`, 'CORRUPT_INPUT');
    if (data.flaky && context.attempt === 1) throw new Error('transient failure on the first attempt');
    const hash = createHash('sha256');
    for (let i = 0; i < data.blocks; i += 1) {
      if (context.signal.aborted) throw context.signal.reason;
      hash.update(`${data.seed}:${i}`);
    }
    return { digest: hash.digest('hex') };
  },
});

async function main(): Promise<void> {
  // Handler folders for the demo, unless the environment names others.
  const scratch = mkdtempSync(join(tmpdir(), 'queue-demo-'));
  process.env.OUTBOX_DIR ??= join(scratch, 'outbox');
  process.env.EXPORT_DIR ??= join(scratch, 'exports');
  process.env.EXPORT_COLLECTIONS ??= 'dead_letter_jobs';
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', name: 'demo' });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  let mongo: AcquiredMongo | undefined;
  let redis: LocalRedisServer | undefined;
  if (!process.env.MONGO_URI) mongo = await acquireMongo({ logger: createLogger({ level: 'info', name: 'demo' }) });
  const mongoUri = process.env.MONGO_URI ?? mongo?.uri ?? '';
  let redisHost = process.env.REDIS_HOST;
  let redisPort = Number(process.env.REDIS_PORT ?? 6379);
  if (process.env.REDIS_URL) {
    const url = new URL(process.env.REDIS_URL);
    redisHost = url.hostname;
    redisPort = Number(url.port || 6379);
  }
  if (!redisHost) {
    redis = new LocalRedisServer();
    await redis.start();
    redisHost = '127.0.0.1';
    redisPort = redis.port;
    say(`redis: private redis-server on ${redis.url}`);
  }

  const manager = await QueueFactory.createWithConfig(
    {
      name: 'demo',
      mongodb: { uri: mongoUri, dbName: process.env.MONGO_DB_NAME ?? `demo_${Date.now()}` },
      redis: { host: redisHost, port: redisPort, password: process.env.REDIS_PASSWORD, db: Number(process.env.QUEUE_REDIS_DB ?? 1) },
      worker: { pollInterval: 200, sweepInterval: 1000 },
    },
    logger,
  );
  manager.registerJob(checksumJob);
  const workers = [new QueueWorker(manager, logger, 10, 20, 200), new QueueWorker(manager, logger, 10, 20, 200)];

  const priorities = [JobPriority.CRITICAL, JobPriority.HIGH, JobPriority.NORMAL, JobPriority.LOW, 17, 11, 5, 1];
  const inputs = Array.from({ length: JOBS }, (_, i) => ({
    type: 'demo_checksum' as const,
    data: { blocks: 50 + (i % 200), seed: `job-${i}`, corrupt: i % 37 === 7, flaky: i % 15 === 3 },
    priority: priorities[i % priorities.length],
  }));
  const started = Date.now();
  await manager.addJobs(inputs);
  // A few shipped job types too: welcome emails (an .eml outbox without SMTP_URL) and a cache warm-up.
  await manager.addJobs([
    ...Array.from({ length: 5 }, (_, i) => ({ type: 'email_send' as const, data: { to: `user${i}@example.com`, subject: 'Welcome', text: `Hello user ${i}` }, priority: JobPriority.HIGH })),
    { type: 'cache_warm' as const, data: {}, priority: JobPriority.LOW },
  ]);
  say(`added ${JOBS} jobs across ${BANDS_IN_ORDER.join(', ')} (every 37th is corrupt and will be dead-lettered)`);
  await Promise.all(workers.map((w) => w.start()));

  const corrupt = inputs.filter((i) => i.data.corrupt).length;
  const total = JOBS + 6;
  for (;;) {
    const stats = await manager.getQueueStats();
    say(`progress: completed ${stats.completed}/${total}  dead ${stats.dead}  processing ${stats.processing}  waiting ${stats.pending + stats.batched + stats.scheduled}  cache hit rate ${(stats.batchInfo.cacheHitRate * 100).toFixed(0)}%`);
    if (stats.completed + stats.dead >= total && stats.dead >= corrupt) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const elapsed = (Date.now() - started) / 1000;
  const stats = await manager.getQueueStats();
  const dlq = await manager.getDLQStats();
  say('');
  say('summary');
  for (const band of BANDS_IN_ORDER) say(`  ${band.padEnd(8)} completed ${stats.byBand[band].completed}  dead ${stats.byBand[band].dead}`);
  say(`  throughput ${(stats.completed / elapsed).toFixed(0)} jobs/s over ${elapsed.toFixed(1)} s`);
  say(`  DLQ entries ${dlq.totalEntries}  by reason ${JSON.stringify(dlq.byFailureReason)}  by severity ${JSON.stringify(dlq.bySeverity)}`);

  const [entry] = (await manager.getDLQEntriesBySeverity('critical', { limit: 1 })).concat(await manager.dlqRepository.list({ limit: 1 }));
  if (entry) {
    const result = await manager.reprocessDLQEntry(String(entry._id), 'demo-admin', { corrupt: false });
    say(`  reprocessed DLQ entry ${entry.jobId} with corrections {corrupt: false} as ${result.newJobId}`);
    for (;;) {
      const job = await manager.jobRepository.findByJobId(result.newJobId);
      if (job?.status === 'completed') {
        say(`  ${result.newJobId} completed: ${JSON.stringify(job.result)}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  // The dead-letter report as CSV, through the data_export job type.
  const exportJob = await manager.addJob({
    type: 'data_export',
    data: { mode: 'collection', collection: 'dead_letter_jobs', fields: ['jobId', 'type', 'severity', 'failureReason', 'reasonText'], format: 'csv', output: 'dlq-report.csv' },
  });
  for (;;) {
    const job = await manager.jobRepository.findByJobId(exportJob.jobId);
    if (job?.status === 'completed') {
      say(`  DLQ report: ${JSON.stringify(job.result)}`);
      break;
    }
    if (job?.status === 'dead') throw new Error(`export failed: ${job.lastError?.message}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  say(`  welcome emails written to ${process.env.OUTBOX_DIR}`);

  // The named-queue API on the same engine: broadcast to two consumer groups, and a recurring check.
  say('');
  say('named queues');
  const sync = manager.getQueue<{ key: string }>('cache-sync');
  const received: Record<string, string[]> = { 'cache-eu': [], search: [] };
  for (const group of Object.keys(received)) await sync.consume(async (job) => void received[group].push(job.data.key), { consumerGroup: group });
  for (const key of ['user:1', 'user:2', 'order:9']) await sync.enqueue({ key }, { jobId: `invalidate:${key}` });
  const health = manager.getQueue<{ system: string }>('healthchecks');
  const checks: string[] = [];
  await health.consume(async (job) => void checks.push(job.id), { consumerGroup: 'checkers' });
  await health.scheduleRecurring('healthcheck:billing', { system: 'billing' }, 1, { startDelay: 0 });
  while (received['cache-eu'].length < 3 || received.search.length < 3 || checks.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [group, keys] of Object.entries(received)) say(`  cache-sync → group ${group} received ${keys.join(', ')}`);
  say(`  healthchecks ran ${checks.length} ticks: ${checks.slice(0, 2).join(', ')}`);
  await health.cancelRecurring('healthcheck:billing');

  await Promise.all(workers.map((w) => w.stop()));
  // Stops the named queues' consumers (in-flight jobs finish), then closes the connections.
  await manager.shutdown();
  await redis?.stop();
  await mongo?.stop();
  say('demo finished');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
