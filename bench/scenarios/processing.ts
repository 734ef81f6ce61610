/**
 * 3. Processing: one worker at concurrency 1, 10 and 50 draining BENCH_JOBS preloaded no-op jobs,
 * vs a BullMQ Worker at the same concurrency. jobs/s = completions ÷ (last completion − worker start).
 * Each run is capped at BENCH_RUN_SECONDS; a capped run reports its rate over what it finished.
 */
import type { BenchContext } from './context';
import { bulkAddBull, bulkAddQueue } from './bulk-add';
import { cpuPerJob, sampleCpu, type CpuPerJob } from './cpu-usage';
import { Countdown, nowMs, round } from './measure';
import { queueSide, type Scenario } from './scenario';
import type { Figure } from '../report';

const TARGET_RATIO_C50 = 0.25;

interface RunResult {
  concurrency: number;
  preloaded: number;
  processed: number;
  seconds: number;
  jobsPerSecond: number;
  capped: boolean;
  preloadSeconds: number;
  /** CPU per processed job of the worker process, the redis-server and the MongoDB server. */
  cpu: CpuPerJob;
}

async function queueRun(ctx: BenchContext, concurrency: number): Promise<RunResult> {
  const done = new Countdown();
  const manager = await ctx.newManager(`proc_c${concurrency}`);
  try {
    const preload = await bulkAddQueue(manager, ctx.settings.jobs, 90_000);
    const cpuBefore = await sampleCpu(ctx.adminRedis('queue'), ctx.mongo?.pid);
    const t0 = nowMs();
    const worker = await ctx.newWorker(manager, concurrency, 50);
    worker.events.on('completed', () => done.hit());
    const finished = await done.reach(preload.jobs, ctx.settings.runSeconds * 1000);
    const end = finished ? done.lastAt : nowMs();
    const cpu = cpuPerJob(cpuBefore, await sampleCpu(ctx.adminRedis('queue'), ctx.mongo?.pid), done.count);
    await ctx.stopWorker(worker);
    const seconds = (end - t0) / 1000;
    return { concurrency, preloaded: preload.jobs, processed: done.count, seconds: round(seconds), jobsPerSecond: round(done.count / seconds, 1), capped: !finished, preloadSeconds: preload.seconds, cpu };
  } finally {
    await ctx.disposeManager(manager);
  }
}

async function bullRun(ctx: BenchContext, concurrency: number): Promise<RunResult> {
  const done = new Countdown();
  const queue = ctx.newBullQueue(`proc-c${concurrency}`);
  try {
    await queue.waitUntilReady();
    const preload = await bulkAddBull(queue, ctx.settings.jobs, 90_000);
    const cpuBefore = await sampleCpu(ctx.adminRedis('bull'), undefined);
    const t0 = nowMs();
    const worker = ctx.newBullWorker(queue, concurrency);
    worker.on('completed', () => done.hit());
    const finished = await done.reach(preload.jobs, ctx.settings.runSeconds * 1000);
    const end = finished ? done.lastAt : nowMs();
    const cpu = cpuPerJob(cpuBefore, await sampleCpu(ctx.adminRedis('bull'), undefined), done.count);
    await ctx.stopBullWorker(worker);
    const seconds = (end - t0) / 1000;
    return { concurrency, preloaded: preload.jobs, processed: done.count, seconds: round(seconds), jobsPerSecond: round(done.count / seconds, 1), capped: !finished, preloadSeconds: preload.seconds, cpu };
  } finally {
    await ctx.disposeBullQueue(queue);
  }
}

export const processingScenario: Scenario = {
  name: 'processing',
  title: '3. Processing',
  async run(ctx: BenchContext) {
    const details: Record<string, unknown> = { jobs: ctx.settings.jobs, capSeconds: ctx.settings.runSeconds, batchSize: 50 };
    const figures: Figure[] = [];
    const runs: Array<{ queue: RunResult | null; bullmq: RunResult }> = [];
    for (const concurrency of ctx.settings.concurrencies) {
      const queue = await queueSide(ctx, details, () => queueRun(ctx, concurrency));
      const bullmq = await bullRun(ctx, concurrency);
      runs.push({ queue, bullmq });
      const notes: string[] = [];
      if (queue?.capped) notes.push(`queue capped: ${queue.processed}/${queue.preloaded} in ${ctx.settings.runSeconds} s`);
      if (bullmq.capped) notes.push(`BullMQ capped: ${bullmq.processed}/${bullmq.preloaded}`);
      const figure: Figure = {
        scenario: 'processing',
        metric: `jobs/s, 1 worker, concurrency ${concurrency}`,
        unit: '/s',
        queue: queue?.jobsPerSecond ?? null,
        bullmq: bullmq.jobsPerSecond,
        better: 'higher',
        note: notes.length ? notes.join('; ') : undefined,
      };
      if (concurrency === 50) {
        figure.target = {
          text: `≥ ${TARGET_RATIO_C50}× BullMQ`,
          met: queue ? queue.jobsPerSecond >= TARGET_RATIO_C50 * bullmq.jobsPerSecond : null,
        };
      }
      figures.push(figure);
      if (concurrency === Math.max(...ctx.settings.concurrencies)) {
        const cpuFigure = (part: string, queueMs: number | null, bullMs: number | null): Figure => ({
          scenario: 'processing',
          metric: `${part} CPU ms per job, concurrency ${concurrency}`,
          unit: 'ms',
          queue: queueMs,
          bullmq: bullMs,
          better: 'lower',
        });
        figures.push(
          cpuFigure('worker process', queue?.cpu.workerMs ?? null, bullmq.cpu.workerMs),
          cpuFigure('redis-server', queue?.cpu.redisMs ?? null, bullmq.cpu.redisMs),
          cpuFigure('MongoDB server', queue?.cpu.mongoMs ?? null, null),
        );
      }
    }
    details.runs = runs;
    return { figures, details };
  },
};
