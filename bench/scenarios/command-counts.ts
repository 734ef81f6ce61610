/**
 * 5. Commands per processed job.
 * MongoDB: the driver's command monitoring (`commandStarted`) on the manager's client (the
 * manager is created with `mongodb.monitorCommands: true`); worker and producer share it.
 * Redis: `INFO commandstats` before/after on each side's private redis-server (server-wide,
 * so it includes commands run inside Lua scripts; redlock and BullMQ both use scripts).
 * (a) one job at a time: add, wait until it completes, next (worker at concurrency 1);
 * (b) bulk add in chunks of 1,000 + one worker at concurrency 50 taking batches of 50.
 * Each window starts with the worker already running and idle. The queue's managers here use a
 * 30 s poll/sweep interval so periodic maintenance (time-based, not per job) stays out of the
 * window; the idle commands/s measured just before the window are reported alongside.
 */
import type { CommandStartedEvent } from 'mongodb';
import type { QueueManager } from '../../src/manager/queue-manager';
import { commandDelta, NOOP_TYPE, redisCommandStats, total, type BenchContext } from './context';
import { bulkAddBull, bulkAddQueue } from './bulk-add';
import { Countdown, nowMs, round, sleep } from './measure';
import { queueSide, type Scenario } from './scenario';
import type { Figure } from '../report';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

const SETTLE_MS = 1_500;
const PER_JOB_TIMEOUT_MS = 5_000;
const WINDOW_CAP_MS = 60_000;
/** Poll and sweep interval of the counting managers (the window is much shorter than this). */
const PERIODIC_MS = 30_000;

interface CountResult {
  jobs: number;
  seconds: number;
  mongoPerJob: number | null;
  redisPerJob: number;
  mongo: Record<string, number> | null;
  redis: Record<string, number>;
  /** Commands per second with the worker idle (periodic work only), measured just before. */
  idleMongoPerSecond: number | null;
  idleRedisPerSecond: number;
}

/** Counts commandStarted events by command name while `on` is set. */
class MongoCounter {
  on = false;
  counts: Record<string, number> = {};
  constructor(manager: QueueManager) {
    queuePartsOf(manager).connection.getClient().on('commandStarted', (event: CommandStartedEvent) => {
      if (this.on) this.counts[event.commandName] = (this.counts[event.commandName] ?? 0) + 1;
    });
  }
  start(): void {
    this.counts = {};
    this.on = true;
  }
  stop(): Record<string, number> {
    this.on = false;
    return this.counts;
  }
}

/** Measures idle commands/s, then runs `work` in a counted window; returns the per-job figures. */
async function countWindow(
  redisSide: 'queue' | 'bull',
  ctx: BenchContext,
  mongo: MongoCounter | null,
  work: () => Promise<number>,
): Promise<CountResult> {
  const redis = ctx.adminRedis(redisSide);
  await sleep(SETTLE_MS);
  // Idle baseline: what the running worker costs per second with nothing to do.
  mongo?.start();
  let before = await redisCommandStats(redis);
  const idleStart = nowMs();
  await sleep(1_000);
  let after = await redisCommandStats(redis);
  const idleSeconds = (nowMs() - idleStart) / 1000;
  const idleMongo = mongo ? total(mongo.stop()) : null;
  const idleRedis = total(commandDelta(before, after)) - 1; // minus the first INFO's own count

  mongo?.start();
  before = await redisCommandStats(redis);
  const t0 = nowMs();
  const processed = await work();
  const seconds = (nowMs() - t0) / 1000;
  after = await redisCommandStats(redis);
  const mongoCounts = mongo ? mongo.stop() : null;
  const redisCounts = commandDelta(before, after);
  return {
    jobs: processed,
    seconds: round(seconds),
    mongoPerJob: mongoCounts ? round(total(mongoCounts) / Math.max(1, processed), 3) : null,
    redisPerJob: round(total(redisCounts) / Math.max(1, processed), 3),
    mongo: mongoCounts,
    redis: redisCounts,
    idleMongoPerSecond: idleMongo === null ? null : round(idleMongo / idleSeconds, 1),
    idleRedisPerSecond: round(idleRedis / idleSeconds, 1),
  };
}

/** add → wait for completion, one job at a time (bounded by count and time). */
async function oneAtATime(count: number, done: Countdown, add: (n: number) => Promise<unknown>): Promise<number> {
  const deadline = nowMs() + WINDOW_CAP_MS;
  let i = 0;
  for (; i < count && nowMs() < deadline; i += 1) {
    const target = done.count + 1;
    await add(i);
    if (!(await done.reach(target, PER_JOB_TIMEOUT_MS))) break;
  }
  return done.count;
}

async function queueCounts(ctx: BenchContext, mode: 'single' | 'bulk'): Promise<CountResult> {
  const done = new Countdown();
  // Periodic maintenance (scheduler, loader, sweeper) is time-based, not per job: a long poll
  // interval keeps it out of the short counting window, so the figure is the per-job path.
  const manager = await ctx.newManager(`count_${mode}`, { monitorCommands: true, config: { worker: { pollInterval: PERIODIC_MS, sweepInterval: PERIODIC_MS } } });
  const counter = new MongoCounter(manager);
  try {
    const worker = await ctx.newWorker(manager, mode === 'single' ? 1 : 50, 50);
    worker.events.on('completed', () => done.hit());
    const jobs = mode === 'single' ? ctx.settings.countSingleJobs : ctx.settings.countBulkJobs;
    const result = await countWindow('queue', ctx, counter, async () => {
      if (mode === 'single') return oneAtATime(jobs, done, (n) => manager.addJob({ type: NOOP_TYPE, data: { n } }));
      const added = await bulkAddQueue(manager, jobs, WINDOW_CAP_MS);
      await done.reach(added.jobs, WINDOW_CAP_MS);
      return done.count;
    });
    await ctx.stopWorker(worker);
    return result;
  } finally {
    await ctx.disposeManager(manager);
  }
}

async function bullCounts(ctx: BenchContext, mode: 'single' | 'bulk'): Promise<CountResult> {
  const done = new Countdown();
  const queue = ctx.newBullQueue(`count-${mode}`);
  try {
    await queue.waitUntilReady();
    const worker = ctx.newBullWorker(queue, mode === 'single' ? 1 : 50);
    worker.on('completed', () => done.hit());
    await worker.waitUntilReady();
    const jobs = mode === 'single' ? ctx.settings.countSingleJobs : ctx.settings.countBulkJobs;
    const result = await countWindow('bull', ctx, null, async () => {
      if (mode === 'single') return oneAtATime(jobs, done, (n) => queue.add(NOOP_TYPE, { n }));
      const added = await bulkAddBull(queue, jobs, WINDOW_CAP_MS);
      await done.reach(added.jobs, WINDOW_CAP_MS);
      return done.count;
    });
    await ctx.stopBullWorker(worker);
    return result;
  } finally {
    await ctx.disposeBullQueue(queue);
  }
}

export const commandCountScenario: Scenario = {
  name: 'commands',
  title: '5. Commands per job',
  async run(ctx: BenchContext) {
    const details: Record<string, unknown> = { singleJobs: ctx.settings.countSingleJobs, bulkJobs: ctx.settings.countBulkJobs };
    const figures: Figure[] = [];
    for (const mode of ['single', 'bulk'] as const) {
      const queue = await queueSide(ctx, details, () => queueCounts(ctx, mode));
      const bullmq = await bullCounts(ctx, mode);
      details[mode] = { queue, bullmq };
      const label = mode === 'single' ? '(a) single add + claim + complete' : '(b) bulk add + batched processing (c=50, batch 50)';
      figures.push({
        scenario: 'commands',
        metric: `MongoDB commands/job ${label}`,
        unit: '',
        queue: queue?.mongoPerJob ?? null,
        bullmq: null,
        better: 'lower',
        note: 'BullMQ uses no MongoDB',
        target:
          mode === 'single'
            ? { text: '≤ 3 per job', met: queue?.mongoPerJob != null ? queue.mongoPerJob <= 3 : null }
            : { text: '< 0.5 per job amortized', met: queue?.mongoPerJob != null ? queue.mongoPerJob < 0.5 : null },
      });
      figures.push({
        scenario: 'commands',
        metric: `Redis commands/job ${label}`,
        unit: '',
        queue: queue?.redisPerJob ?? null,
        bullmq: bullmq.redisPerJob,
        better: 'lower',
        note: 'INFO commandstats, incl. calls inside scripts',
      });
    }
    return { figures, details };
  },
};
