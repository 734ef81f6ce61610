/** Key units per millisecond of ready time: the key stays exact in a double (< 2^47) and in the Redis score. */
export const ORDER_SLOTS = 64;

/**
 * The last key given to a job ready now (or earlier), and the last key given to a job ready
 * later (a delay or a retry), with the millisecond it was made for. Per process.
 */
let lastReadyKey = 0;
let lastLaterMs = 0;
let lastLaterKey = 0;

/**
 * The sort key of a job within its priority: FIFO jobs sort by the time they became ready, LIFO
 * jobs by its negation (newest first).
 *
 * A hybrid of the clock and a counter, strictly increasing per process for jobs ready now: the
 * clock's slot (ms × 64) when it is ahead of the last key, else the last key + 1. A bulk add of
 * thousands of jobs in one millisecond therefore keeps its order (the counter runs on into the
 * following milliseconds' slots instead of wrapping), and so does every add after it. Jobs ready
 * later share a counter per ready millisecond, so a bulk add with one delay keeps its order too.
 * Keys of different processes interleave by their clocks, as ready times do.
 */
export function orderKeyFor(readyAt: Date, lifo: boolean, now = Date.now()): number {
  const ms = readyAt.getTime();
  const base = ms * ORDER_SLOTS;
  let key: number;
  if (ms <= now) {
    key = Math.max(base, lastReadyKey + 1);
    lastReadyKey = key;
  } else {
    key = ms === lastLaterMs ? Math.max(base, lastLaterKey + 1) : base;
    lastLaterMs = ms;
    lastLaterKey = key;
  }
  return lifo ? -key : key;
}
