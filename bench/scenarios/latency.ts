/**
 * 4. add→start latency under a steady load: a producer adds jobs at a fixed rate (default 500/s
 * for 10 s); latency = handler start − the producer's timestamp taken just before the add call.
 * One worker at concurrency 10 on each side.
 */
import type { BenchContext } from './context';
import { NOOP_TYPE } from './context';
import { Countdown, nowMs, round, sleep, summarize, type LatencySummary } from './measure';
import { queueSide, type Scenario } from './scenario';

const CONCURRENCY = 10;
/** Adds allowed in flight at once: a stalled server cannot make the producer pile up promises. */
const MAX_IN_FLIGHT = 2_000;
const DRAIN_MS = 15_000;
const TARGET_P50_MS = 5;

interface SteadyResult extends LatencySummary {
  sent: number;
  started: number;
  addErrors: number;
  achievedRate: number;
}

/**
 * Drives `add(n)` at `rate`/s for `seconds` (catching up on late ticks, never above the schedule),
 * then waits for every sent job to start. `startAt[n]` is filled by the handler hook.
 */
async function steadyLoad(rate: number, seconds: number, startAt: Float64Array, started: Countdown, add: (n: number) => Promise<unknown>): Promise<SteadyResult> {
  const total = startAt.length;
  const sentAt = new Float64Array(total).fill(Number.NaN);
  let next = 0;
  let inFlight = 0;
  let addErrors = 0;
  const t0 = nowMs();
  const stopAt = t0 + seconds * 1000 + 2_000;
  while (next < total && nowMs() < stopAt) {
    const due = Math.min(total, Math.floor(((nowMs() - t0) * rate) / 1000) + 1);
    while (next < due && inFlight < MAX_IN_FLIGHT) {
      const n = next;
      next += 1;
      inFlight += 1;
      sentAt[n] = nowMs();
      add(n).then(
        () => (inFlight -= 1),
        () => {
          inFlight -= 1;
          addErrors += 1;
        },
      );
    }
    await sleep(1);
  }
  const producerSeconds = (nowMs() - t0) / 1000;
  await started.reach(next - addErrors, DRAIN_MS);
  const samples: number[] = [];
  for (let n = 0; n < next; n += 1) {
    if (!Number.isNaN(startAt[n]) && !Number.isNaN(sentAt[n])) samples.push(startAt[n] - sentAt[n]);
  }
  return { ...summarize(samples), sent: next, started: samples.length, addErrors, achievedRate: round(next / producerSeconds, 1) };
}

function hook(startAt: Float64Array, started: Countdown): (n: number) => void {
  return (n) => {
    if (n >= 0 && n < startAt.length && Number.isNaN(startAt[n])) {
      startAt[n] = nowMs();
      started.hit();
    }
  };
}

export const latencyScenario: Scenario = {
  name: 'latency',
  title: '4. add→start latency',
  async run(ctx: BenchContext) {
    const { steadyRate: rate, steadySeconds: seconds } = ctx.settings;
    const total = rate * seconds;
    const details: Record<string, unknown> = { rate, seconds, concurrency: CONCURRENCY };

    const queue = await queueSide(ctx, details, async () => {
      const startAt = new Float64Array(total).fill(Number.NaN);
      const started = new Countdown();
      const manager = await ctx.newManager('latency', { onStart: hook(startAt, started) });
      try {
        const worker = await ctx.newWorker(manager, CONCURRENCY, 50);
        await sleep(300); // let the worker reach its blocking wait
        const result = await steadyLoad(rate, seconds, startAt, started, (n) => manager.addJob({ type: NOOP_TYPE, data: { n } }));
        await ctx.stopWorker(worker);
        return result;
      } finally {
        await ctx.disposeManager(manager);
      }
    });

    const startAt = new Float64Array(total).fill(Number.NaN);
    const started = new Countdown();
    const bullQueue = ctx.newBullQueue('latency');
    let bull: SteadyResult;
    try {
      await bullQueue.waitUntilReady();
      const worker = ctx.newBullWorker(bullQueue, CONCURRENCY, hook(startAt, started));
      await worker.waitUntilReady();
      await sleep(300);
      bull = await steadyLoad(rate, seconds, startAt, started, (n) => bullQueue.add(NOOP_TYPE, { n }));
      await ctx.stopBullWorker(worker);
    } finally {
      await ctx.disposeBullQueue(bullQueue);
    }

    details.queue = queue;
    details.bullmq = bull;
    const label = `${rate}/s for ${seconds} s, concurrency ${CONCURRENCY}`;
    const missing = queue && queue.started < queue.sent ? `queue: ${queue.sent - queue.started} of ${queue.sent} never started` : undefined;
    return {
      details,
      figures: [
        {
          scenario: 'latency',
          metric: `add→start p50 (${label})`,
          unit: 'ms',
          queue: queue?.p50 ?? null,
          bullmq: bull.p50,
          better: 'lower',
          target: { text: `< ${TARGET_P50_MS} ms`, met: queue ? queue.p50 < TARGET_P50_MS && queue.started === queue.sent : null },
          note: missing,
        },
        { scenario: 'latency', metric: 'add→start p95', unit: 'ms', queue: queue?.p95 ?? null, bullmq: bull.p95, better: 'lower' },
        { scenario: 'latency', metric: 'add→start p99', unit: 'ms', queue: queue?.p99 ?? null, bullmq: bull.p99, better: 'lower' },
      ],
    };
  },
};
