/**
 * 1. Single add: sequential `addJob` (MongoDB insert + Redis push) vs BullMQ `queue.add`.
 * Latency per call (p50/p99) and adds/s over the sequence.
 */
import { NOOP_TYPE, type BenchContext } from './context';
import { nowMs, round, summarize, type LatencySummary } from './measure';
import { queueSide, type Scenario } from './scenario';

const WARMUP = 100;
const MAX_MS = 20_000;

interface SideResult {
  latency: LatencySummary;
  addsPerSecond: number;
  count: number;
}

async function measureAdds(count: number, add: (n: number) => Promise<unknown>): Promise<SideResult> {
  for (let i = 0; i < WARMUP; i += 1) await add(-1 - i);
  const samples: number[] = [];
  const t0 = nowMs();
  const deadline = t0 + MAX_MS;
  for (let i = 0; i < count && nowMs() < deadline; i += 1) {
    const t = nowMs();
    await add(i);
    samples.push(nowMs() - t);
  }
  const elapsed = nowMs() - t0;
  return { latency: summarize(samples), addsPerSecond: round((samples.length / elapsed) * 1000, 1), count: samples.length };
}

export const singleAddScenario: Scenario = {
  name: 'single',
  title: '1. Single add',
  async run(ctx: BenchContext) {
    const count = ctx.settings.singleAdds;
    const details: Record<string, unknown> = { count, warmup: WARMUP };

    const queue = await queueSide(ctx, details, async () => {
      const manager = await ctx.newManager('single');
      try {
        return await measureAdds(count, (n) => manager.addJob({ type: NOOP_TYPE, data: { n } }));
      } finally {
        await ctx.disposeManager(manager);
      }
    });

    const bullQueue = ctx.newBullQueue('single');
    let bull: SideResult;
    try {
      await bullQueue.waitUntilReady();
      bull = await measureAdds(count, (n) => bullQueue.add(NOOP_TYPE, { n }));
    } finally {
      await ctx.disposeBullQueue(bullQueue);
    }

    details.queue = queue;
    details.bullmq = bull;
    return {
      details,
      figures: [
        { scenario: 'single', metric: 'add latency p50', unit: 'ms', queue: queue?.latency.p50 ?? null, bullmq: bull.latency.p50, better: 'lower' },
        { scenario: 'single', metric: 'add latency p99', unit: 'ms', queue: queue?.latency.p99 ?? null, bullmq: bull.latency.p99, better: 'lower' },
        { scenario: 'single', metric: 'sequential adds/s', unit: '/s', queue: queue?.addsPerSecond ?? null, bullmq: bull.addsPerSecond, better: 'higher' },
      ],
    };
  },
};
