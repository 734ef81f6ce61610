/**
 * `pnpm bench:dashboard`: page-load times of the dashboard on a queue holding 100,000 jobs and
 * 10,000 dead-letter entries. MongoDB: MONGO_URI (127.0.0.1 only), else the project's
 * acquireMongo in a child process of its own (as `pnpm bench` does); a private redis-server.
 * Signs in like a browser (CSRF token, session cookie), then loads each page BENCH_DASH_LOADS
 * times (default 10), BENCH_DASH_GAP_MS apart (default 1100: longer than the dashboard's shared
 * reads live, so every load reads afresh), and prints median and p95 per page.
 * Knobs: BENCH_DASH_JOBS (100000), BENCH_DASH_DLQ (10000), BENCH_DASH_LOADS (10), BENCH_DASH_GAP_MS (1100).
 */
import { createQueueManager, queuePartsOf } from '../src/composition/create-queue-manager';
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { z } from 'zod';
import { resolveQueueConfig } from '../src/config/queue-config';
import { LocalRedisServer } from '../src/devservers/redis';
import { defineJob } from '../src/domain/job-definition';
import { DlqSeverity, FailureReason } from '../src/domain/dlq-record';
import { BANDS_IN_ORDER } from '../src/domain/priority-band';
import { createHttpServer } from '../src/http/http-server';
import { silentLogger } from '../src/logging/logger';
import type { QueueManager } from '../src/manager/queue-manager';
import type { DlqDocument } from '../src/storage/dlq-store';
import { acquireBenchMongo } from './scenarios/context';

const JOBS = Number(process.env.BENCH_DASH_JOBS ?? 100_000);
const DLQ_ENTRIES = Number(process.env.BENCH_DASH_DLQ ?? 10_000);
const LOADS = Number(process.env.BENCH_DASH_LOADS ?? 10);
const GAP_MS = Number(process.env.BENCH_DASH_GAP_MS ?? 1100);
const TOKEN = 'bench-dashboard-token-0123456789';
const PRIORITY_BY_BAND = { CRITICAL: 18, HIGH: 12, NORMAL: 7, LOW: 2 } as const;

function progress(message: string): void {
  process.stderr.write(`[bench:dashboard ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const benchJob = defineJob({ type: 'bench_job', schema: z.object({ n: z.number(), note: z.string() }), async handle() {} });

/** A client that keeps the cookies the dashboard sets, like a browser would. */
class Session {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async request(path: string, init: RequestInit = {}): Promise<{ status: number; text: string; ms: number }> {
    const t0 = performance.now();
    const response = await fetch(`${this.base}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const text = await response.text();
    const ms = performance.now() - t0;
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: response.status, text, ms };
  }

  async signIn(token: string): Promise<void> {
    const page = await this.request('/dashboard/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const done = await this.request('/dashboard/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, token }).toString() });
    if (done.status !== 303) throw new Error(`sign-in answered ${done.status}`);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

async function fill(manager: QueueManager): Promise<{ someJobId: string; someEntryId: string }> {
  const t0 = Date.now();
  const bands = BANDS_IN_ORDER;
  // A fifth of the jobs finished over the last hour (for the chart), written as such: updating
  // them after the fact costs the embedded server a scan per chunk.
  const completedCount = Math.floor(JOBS / 5);
  const pendingCount = JOBS - completedCount;
  for (let i = 0; i < pendingCount; i += 5000) {
    const count = Math.min(5000, pendingCount - i);
    await manager.addJobs(Array.from({ length: count }, (_, k) => ({ type: 'bench_job', data: { n: i + k, note: `job ${i + k}` }, priority: PRIORITY_BY_BAND[bands[(i + k) % 4]] })));
    if ((i / 5000) % 4 === 0) progress(`${i + count} jobs added`);
  }
  const jobs = queuePartsOf(manager).store.collection;
  const template = await jobs.findOne({ queue: manager.config.name });
  if (!template) throw new Error('no job was added');
  const now = Date.now();
  for (let i = 0; i < completedCount; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, completedCount - i) }, (_, k) => {
      const n = pendingCount + i + k;
      const at = new Date(now - Math.floor(((i + k) / completedCount) * 3_500_000));
      const { _id: _ignored, ...rest } = template;
      return { ...rest, _id: new ObjectId(), jobId: `done-${n}-${randomUUID()}`, data: { n, note: `job ${n}` }, status: 'completed' as const, createdAt: at, updatedAt: at, processingAt: at, completedAt: at, history: [] };
    });
    await jobs.insertMany(docs);
  }
  progress(`jobs ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  const severities = Object.values(DlqSeverity);
  const reasons = [FailureReason.HandlerError, FailureReason.Timeout, FailureReason.InvalidData, FailureReason.NetworkError];
  for (let i = 0; i < DLQ_ENTRIES; i += 1000) {
    const docs: DlqDocument[] = Array.from({ length: Math.min(1000, DLQ_ENTRIES - i) }, (_, k) => {
      const n = i + k;
      const at = new Date(now - n * 60_000);
      const error = { attempt: 3, message: `failure ${n}`, name: 'Error', stack: `Error: failure ${n}\n    at handle (bench.ts:1:1)`, workerId: 'bench', durationMs: 12, at };
      return {
        _id: new ObjectId(),
        jobId: `dead-${n}-${randomUUID()}`,
        queue: manager.config.name,
        type: 'bench_job',
        data: { n, note: `dead ${n}` },
        priority: 7,
        band: 'NORMAL',
        severity: severities[n % 4],
        attempts: 3,
        maxAttempts: 3,
        errors: [error],
        history: [{ from: 'processing', to: 'dead', at, by: 'bench', reason: 'exhausted' }],
        lastError: error,
        failureReason: reasons[n % 4],
        reasonText: `failure ${n}`,
        jobCreatedAt: at,
        movedAt: at,
        review: null,
        reprocessHistory: [],
        reprocessCount: 0,
        jobRef: new ObjectId(),
        deadLetterSeq: 1,
      };
    });
    await queuePartsOf(manager).dlqStore.collection.insertMany(docs);
  }
  progress(`DLQ entries ready in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const someJob = await jobs.findOne({ queue: manager.config.name, status: 'pending' });
  const someEntry = await queuePartsOf(manager).dlqStore.collection.findOne({ queue: manager.config.name }, { skip: DLQ_ENTRIES / 2 });
  return { someJobId: someJob?.jobId ?? '', someEntryId: someEntry?._id.toHexString() ?? '' };
}

/**
 * The fill keeps the embedded server busy for seconds at a time: its heartbeat must not count
 * that as a dead server (the driver would drop the pool mid-insert).
 */
function patientUri(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set('connectTimeoutMS', '120000');
  url.searchParams.set('heartbeatFrequencyMS', '30000');
  url.searchParams.set('serverMonitoringMode', 'poll');
  return url.toString();
}

async function main(): Promise<void> {
  const logger = silentLogger();
  const mongo = await acquireBenchMongo(logger);
  if ('unavailable' in mongo) throw new Error(mongo.unavailable);
  const redis = new LocalRedisServer();
  await redis.start();
  const manager = createQueueManager(
    resolveQueueConfig({ name: 'bench', mongodb: { uri: patientUri(mongo.uri), dbName: `bench_dashboard_${Date.now()}`, storageTimeoutMs: 120_000 }, redis: { host: '127.0.0.1', port: redis.port, db: 0 }, cache: { namespace: 'benchdash' } }),
    logger,
  );
  manager.registerJob(benchJob);
  await manager.start();
  const server = createHttpServer({ manager, logger, adminTokens: [{ name: 'bench', token: TOKEN }] });
  try {
    progress(`MongoDB: ${mongo.kind}; filling ${JOBS} jobs and ${DLQ_ENTRIES} DLQ entries`);
    const { someJobId, someEntryId } = await fill(manager);
    const base = (await server.listen(0, '127.0.0.1')).replace('0.0.0.0', '127.0.0.1');
    const session = new Session(base);
    await session.signIn(TOKEN);
    const secondPage = /href="\/dashboard\/jobs\?([^"]*cursor=[^"]+)"/.exec((await session.request('/dashboard/jobs')).text)?.[1]?.replace(/&amp;/g, '&');
    // The DLQ stats are shared for 5 s: loads of that panel wait longer so each one reads afresh.
    const pages: Array<[string, string, number?]> = [
      ['overview', '/dashboard'],
      ['overview live panel (htmx poll)', '/dashboard/overview/live'],
      ['throughput chart data', '/dashboard/overview/throughput'],
      ['jobs, newest first', '/dashboard/jobs'],
      ['jobs, page 2 (cursor)', `/dashboard/jobs?${secondPage ?? ''}`],
      ['jobs, status=pending band=HIGH', '/dashboard/jobs?status=pending&band=HIGH'],
      ['jobs, type + created today', `/dashboard/jobs?type=bench_job&createdFrom=${new Date().toISOString().slice(0, 10)}`],
      ['job page', `/dashboard/jobs/${encodeURIComponent(someJobId)}`],
      ['DLQ list', '/dashboard/dlq'],
      ['DLQ stats panel (loads after the list)', '/dashboard/dlq/stats', 5_100],
      ['DLQ, severity=high', '/dashboard/dlq?severity=high'],
      ['DLQ, page 101 (skip 5000)', '/dashboard/dlq?skip=5000'],
      ['DLQ entry page', `/dashboard/dlq/${someEntryId}`],
    ];
    const rows: string[] = ['| page | median ms | p95 ms | bytes |', '|---|---:|---:|---:|'];
    for (const [label, path, gapMs = GAP_MS] of pages) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < LOADS; i += 1) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
        const { status, text, ms } = await session.request(path);
        if (status !== 200) throw new Error(`${path} answered ${status}: ${text.slice(0, 300)}`);
        times.push(ms);
        bytes = text.length;
      }
      times.sort((a, b) => a - b);
      rows.push(`| ${label} | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} | ${bytes} |`);
      progress(`${label}: median ${percentile(times, 0.5).toFixed(1)} ms`);
    }
    process.stdout.write(`\nDashboard page loads (${JOBS} jobs, ${DLQ_ENTRIES} DLQ entries, MongoDB: ${mongo.kind}, ${LOADS} loads each, ${GAP_MS} ms apart)\n\n${rows.join('\n')}\n`);
  } finally {
    await server.close();
    await queuePartsOf(manager).connection.dropDatabase().catch(() => undefined);
    await manager.close();
    await redis.stop();
    await mongo.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
