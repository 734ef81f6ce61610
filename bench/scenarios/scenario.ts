import type { Figure } from '../report';
import type { BenchContext } from './context';

/** One concern of the bench: runs both sides and returns figures (and raw details for the JSON). */
export interface Scenario {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<{ figures: Figure[]; details: Record<string, unknown> }>;
}

/** Runs the queue side only when a MongoDB is available; records why it did not otherwise. */
export async function queueSide<T>(ctx: BenchContext, details: Record<string, unknown>, run: () => Promise<T>): Promise<T | null> {
  if (!ctx.hasQueueSide) {
    details.queueSkipped = ctx.mongoUnavailable ?? 'no MongoDB';
    return null;
  }
  return run();
}
