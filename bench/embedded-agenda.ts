/**
 * A real client on the embedded MongoDB server: Agenda 6 with its MongoDB backend processes
 * preloaded one-off jobs. Agenda locks each job with a findAndModify whose filter is an `$or`
 * of "never locked and due" and "lock expired" over its `findAndLockNextJobIndex`, so this
 * measures how the embedded planner copes with a query no one here wrote.
 * Prints the time until 1,000 / 3,000 / all jobs were locked (started) and until all ran.
 * `pnpm bench:agenda [count]` (default 10,000); `runAgendaBench()` is also called by bench/embedded-mongo.ts.
 */
import { MongoClient } from 'mongodb';
import { createEngine } from '../embedded-mongo/src/engine';
import { startServer } from './embedded-mongo';

const JOB = 'bench-agenda-job';
/** A run that has not finished by then is reported as such rather than waited for. */
const MAX_MS = 120_000;

export interface AgendaFigures {
  jobs: number;
  /** Seconds from start until that many jobs were locked, keyed by count. */
  lockedSeconds: Record<number, number>;
  /** Seconds until every job completed; undefined if the run was cut at MAX_MS. */
  allRunSeconds?: number;
  completed: number;
}

// Agenda is ESM only; this project compiles to CommonJS, so load it with a native import().
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;

function preload(count: number, dueAt: Date): Array<Record<string, unknown>> {
  // The shape Agenda's saveJob writes for `agenda.now(name, data)`, one job a millisecond as a
  // producer adds them: locked jobs then lie at the front of the index, before the ones still due.
  return Array.from({ length: count }, (_, i) => ({
    name: JOB, data: { i }, type: 'normal', priority: 0, nextRunAt: new Date(dueAt.getTime() - count + i), lockedAt: null, disabled: null,
    lastFinishedAt: null, failedAt: null, failCount: null, failReason: null, lastRunAt: null,
    repeatInterval: null, repeatTimezone: null, repeatAt: null, lastModifiedBy: null,
  }));
}

export async function runAgendaBench(count = 10_000, marks: number[] = [1_000, 3_000]): Promise<AgendaFigures> {
  const { Agenda } = await importEsm<typeof import('agenda')>('agenda');
  const { MongoBackend } = await importEsm<typeof import('@agendajs/mongo-backend')>('@agendajs/mongo-backend');
  const { uri, child } = await startServer();
  const client = await new MongoClient(uri).connect();
  const db = client.db('agenda-bench');
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: db }),
    processEvery: 100,
    maxConcurrency: 50,
    defaultConcurrency: 50,
    defaultLockLimit: 0,
    lockLimit: 0,
  });
  const figures: AgendaFigures = { jobs: count, lockedSeconds: {}, completed: 0 };
  try {
    agenda.define(JOB, async () => undefined);
    await agenda.ready;
    await db.collection('agendaJobs').insertMany(preload(count, new Date(Date.now() - 60_000)));
    const wanted = [...marks.filter((m) => m < count), count];
    let started = 0;
    const t0 = performance.now();
    const seconds = (): number => Math.round((performance.now() - t0) / 10) / 100;
    const done = new Promise<void>((resolve) => {
      agenda.on(`start:${JOB}`, () => {
        started += 1;
        if (wanted.includes(started)) figures.lockedSeconds[started] = seconds();
      });
      agenda.on(`complete:${JOB}`, () => {
        figures.completed += 1;
        if (figures.completed === count) {
          figures.allRunSeconds = seconds();
          resolve();
        }
      });
    });
    await agenda.start();
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, MAX_MS).unref())]);
  } finally {
    await agenda.stop().catch(() => undefined);
    await client.close();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  return figures;
}

/**
 * The planner's share alone: Agenda's lock findAndModify run `count` times on the engine, no
 * network and no Agenda, over the same preloaded jobs and index. Seconds to lock them all.
 */
export function engineLockSeconds(count: number): number {
  const coll = createEngine().database('agenda-bench').collection('agendaJobs', true);
  if (!coll) throw new Error('no collection');
  coll.createIndexes([{ key: { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 }, name: 'findAndLockNextJobIndex' }]);
  coll.insertMany(preload(count, new Date(Date.now() - 60_000)), true);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const now = new Date();
    const locked = coll.findAndModify({
      query: {
        name: JOB, disabled: { $ne: true },
        $or: [{ lockedAt: { $eq: null }, nextRunAt: { $lte: now } }, { lockedAt: { $lte: new Date(now.getTime() - 600_000) } }],
      },
      sort: { nextRunAt: 1, priority: -1 },
      update: { $set: { lockedAt: now, lastModifiedBy: null } },
      new: true,
    });
    if (!locked.value) throw new Error(`lock ${i} found no job`);
  }
  return Math.round(performance.now() - t0) / 1000;
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 10_000);
  for (const n of [1_000, 3_000, count].filter((n, i, all) => n <= count && all.indexOf(n) === i)) {
    process.stdout.write(`engine only, Agenda's lock query: ${n} jobs locked in ${engineLockSeconds(n)} s\n`);
  }
  runAgendaBench(count).then(
    (f) => {
      for (const [n, s] of Object.entries(f.lockedSeconds)) process.stdout.write(`locked ${n} of ${f.jobs} jobs: ${s} s\n`);
      process.stdout.write(f.allRunSeconds === undefined
        ? `cut after ${MAX_MS / 1000} s: ${f.completed} of ${f.jobs} jobs ran\n`
        : `ran all ${f.jobs} jobs: ${f.allRunSeconds} s\n`);
    },
    (error: unknown) => {
      process.stderr.write(`agenda benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
