import type { JobRecord } from '../domain/job-record';
import type { PriorityRange } from '../domain/priority-band';
import type { JobStore } from '../storage/job-store';

/** A ready job as the loader reads it. */
export type ReadyJob = Pick<JobRecord, 'jobId' | 'priority' | 'orderKey' | 'band' | 'type'>;

/**
 * Follow-up queries per band and load at most. Each one skips every type that reached its cap,
 * so jobs of lighter types queued behind a run of capped ones still get in; the bound keeps a load
 * a fixed number of round trips however many types a band holds (what is left waits, pending,
 * for the next load).
 */
export const MAX_FOLLOW_UPS = 2;

/**
 * Remembers bands whose follow-up query found nothing behind their capped types: it walked the
 * band's whole backlog to learn that, so the same question is not asked again until `quietMs`
 * has passed (jobs added meanwhile reach Redis when added; the others within that time).
 */
export class FollowUpGate {
  private readonly quietUntil = new Map<string, number>();

  constructor(private readonly quietMs: number) {}

  allows(key: string, now = Date.now()): boolean {
    const until = this.quietUntil.get(key);
    if (until === undefined) return true;
    if (now < until) return false;
    this.quietUntil.delete(key);
    return true;
  }

  quiet(key: string, now = Date.now()): void {
    this.quietUntil.set(key, now + this.quietMs);
  }
}

/**
 * Chooses the jobs one load puts into a band: the band's best pending jobs in claim order
 * (priority, then FIFO/LIFO), at most `size` in all and at most `capOf(type)` of each type.
 *
 * One query when no cap is reached (as many round trips as a load without caps). When a cap left
 * jobs out of a full window, one more query asks for the band without the capped types; jobs of
 * other types taken from the first window come first in it again and are skipped, so what it adds
 * lies behind the first window and the result stays in claim order. Jobs left out stay pending.
 * With a `gate`, a band whose follow-up found nothing skips follow-ups while the gate is quiet.
 */
export async function selectForBand(
  store: JobStore,
  queue: string,
  range: PriorityRange,
  size: number,
  capOf: (type: string) => number,
  gate?: FollowUpGate,
): Promise<ReadyJob[]> {
  const chosen: ReadyJob[] = [];
  const chosenIds = new Set<string>();
  const perType = new Map<string, number>();
  const capped = new Set<string>();
  let limit = size;
  for (let query = 0; query <= MAX_FOLLOW_UPS; query += 1) {
    const window = await store.findReady(queue, range, limit, [...capped]);
    let leftOut = false;
    let added = 0;
    for (const job of window) {
      if (chosen.length >= size) break;
      if (chosenIds.has(job.jobId)) continue;
      const count = perType.get(job.type) ?? 0;
      if (count >= Math.min(capOf(job.type), size)) {
        capped.add(job.type);
        leftOut = true;
        continue;
      }
      perType.set(job.type, count + 1);
      chosen.push(job);
      chosenIds.add(job.jobId);
      added += 1;
    }
    // A follow-up that added nothing: no other type waits behind the capped ones (for now).
    if (query > 0 && added === 0 && !leftOut) gate?.quiet(gateKey(queue, range, capped));
    // Done when the band is full, no cap left a job out, or the window held every pending job.
    if (chosen.length >= size || !leftOut || window.length < limit) break;
    if (gate && !gate.allows(gateKey(queue, range, capped))) break;
    limit = chosen.filter((job) => !capped.has(job.type)).length + (size - chosen.length);
  }
  return chosen;
}

function gateKey(queue: string, range: PriorityRange, capped: ReadonlySet<string>): string {
  return JSON.stringify([queue, range.min, range.max, [...capped].sort()]);
}
