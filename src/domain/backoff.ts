import { z } from 'zod';

export const backoffSchema = z.object({
  type: z.enum(['exponential', 'fixed']),
  /** Base delay in ms: fixed waits this long; exponential waits 2^(attempt-1) × delay. */
  delay: z.number().int().min(0).max(7 * 24 * 3_600_000),
  /** Share of the delay randomised (0–1) so retries of many jobs spread out. */
  jitter: z.number().min(0).max(1).optional(),
});

export type BackoffOptions = z.infer<typeof backoffSchema>;

export const DEFAULT_BACKOFF: BackoffOptions = { type: 'exponential', delay: 1000, jitter: 0.1 };

/** Delay before the next attempt, after `attempt` attempts have failed (attempt ≥ 1). */
export function backoffDelay(backoff: BackoffOptions, attempt: number, random: () => number = Math.random): number {
  const base = backoff.type === 'fixed' ? backoff.delay : backoff.delay * 2 ** Math.max(0, attempt - 1);
  const jitter = backoff.jitter ?? 0;
  // Jitter only shortens: the delay never exceeds what the user configured.
  return Math.round(base * (1 - jitter * random()));
}
