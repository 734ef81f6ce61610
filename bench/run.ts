/**
 * `pnpm bench`: the queue against BullMQ 6.7 in the same run, on the same machine, in the same
 * scenarios. The queue uses MongoDB (MONGO_URI, else the project's acquireMongo: the embedded
 * server on this machine) and a private redis-server; BullMQ gets a private redis-server of its own.
 * Prints a markdown table (figure, BullMQ figure, ratio, targets) and writes bench/results/latest.json.
 *
 * Knobs (all optional): BENCH_JOBS (20000), BENCH_SINGLE_ADDS, BENCH_RUN_SECONDS (25, cap per
 * processing run), BENCH_STEADY_RATE (500), BENCH_STEADY_SECONDS (10), BENCH_COUNT_SINGLE,
 * BENCH_COUNT_BULK, BENCH_CONCURRENCIES (1,10,50), BENCH_ONLY=single,bulk,processing,latency,commands,embedded,
 * BENCH_OUT, BENCH_MONGO_PROCESS=inprocess (run the embedded server in this process instead of a
 * child process of its own), BENCH_MONGO_NODE_ARGS (node flags for that child, e.g. --cpu-prof).
 * Quick run: BENCH_JOBS=2000 pnpm bench
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { BenchContext, settingsFromEnv } from './scenarios/context';
import { singleAddScenario } from './scenarios/single-add';
import { bulkAddScenario } from './scenarios/bulk-add';
import { processingScenario } from './scenarios/processing';
import { latencyScenario } from './scenarios/latency';
import { commandCountScenario } from './scenarios/command-counts';
import { runEmbeddedMongoFigures } from './scenarios/embedded-mongo';
import type { Scenario } from './scenarios/scenario';
import { collectTargets, environment, renderMarkdown, writeJson, type BenchReport, type ScenarioResult } from './report';

const SCENARIOS: Scenario[] = [singleAddScenario, bulkAddScenario, processingScenario, latencyScenario, commandCountScenario];
/** Past this, a scenario is abandoned (its figures are reported as an error). */
const SCENARIO_CAP_MS = 240_000;

function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function runScenario(ctx: BenchContext, scenario: Scenario): Promise<ScenarioResult> {
  const t0 = Date.now();
  progress(`${scenario.title} …`);
  let timer: NodeJS.Timeout | undefined;
  try {
    const capped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`scenario exceeded ${SCENARIO_CAP_MS / 1000} s`)), SCENARIO_CAP_MS);
    });
    const { figures, details } = await Promise.race([scenario.run(ctx), capped]);
    const seconds = (Date.now() - t0) / 1000;
    progress(`${scenario.title} done in ${seconds.toFixed(1)} s`);
    return { name: scenario.name, title: scenario.title, figures, details, seconds };
  } catch (error) {
    const seconds = (Date.now() - t0) / 1000;
    progress(`${scenario.title} FAILED after ${seconds.toFixed(1)} s: ${(error as Error).stack ?? String(error)}`);
    return { name: scenario.name, title: scenario.title, figures: [], details: {}, error: (error as Error).message, seconds };
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const wanted = (name: string) => settings.only.size === 0 || settings.only.has(name);
  const startedAt = new Date();
  // The machine may be shared: the 1-minute load average at start and end says how quiet it was.
  const loadAtStart = loadavg()[0];
  const ctx = new BenchContext(settings);
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= ctx.stop());
  process.once('SIGINT', () => {
    progress('interrupted: stopping servers');
    void stopAll().finally(() => process.exit(130));
  });

  const scenarios: ScenarioResult[] = [];
  let redisVersion = 'unknown';
  try {
    progress('starting redis-servers and MongoDB');
    await ctx.start();
    const info = await ctx.adminRedis('queue').info('server');
    redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? redisVersion;
    progress(ctx.mongo ? `MongoDB: ${ctx.mongo.kind}` : `no MongoDB (${ctx.mongoUnavailable}): BullMQ side only`);
    for (const scenario of SCENARIOS) {
      if (wanted(scenario.name)) scenarios.push(await runScenario(ctx, scenario));
    }
  } finally {
    progress('stopping workers, managers, redis-servers and MongoDB');
    await stopAll();
  }

  // After our servers are down, so the embedded server's own bench has the CPU to itself.
  let embeddedMongo: unknown;
  if (wanted('embedded')) {
    progress('6. embedded MongoDB bench …');
    embeddedMongo = await runEmbeddedMongoFigures();
  }

  const finishedAt = new Date();
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    totalSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    command: 'pnpm bench',
    environment: environment({
      mongo: ctx.mongo?.kind ?? `none (${ctx.mongoUnavailable})`,
      redisVersion,
      bullmq: '6.7.0',
      loadAverage1m: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadavg()[0] * 100) / 100 },
    }),
    settings: { ...settings, only: [...settings.only] },
    scenarios,
    targets: collectTargets(scenarios),
    embeddedMongo,
  };
  const out = process.env.BENCH_OUT ?? join(__dirname, 'results', 'latest.json');
  writeJson(out, report);
  process.stdout.write(renderMarkdown(report));
  progress(`JSON written to ${out}`);

  // Everything is stopped; if some handle still keeps the process alive, say so instead of hanging.
  setTimeout(() => {
    progress('WARNING: the process did not exit by itself 15 s after stopping everything; exiting');
    process.exit(0);
  }, 15_000).unref();
}

main().catch((error: unknown) => {
  progress(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
