/**
 * Claims served from a Redis batch (hits) versus straight from MongoDB (misses), counted
 * in this process. Stale ids (popped but already taken elsewhere) are neither.
 */
export class CacheCounters {
  hits = 0;
  misses = 0;
  stale = 0;

  recordHits(n: number): void {
    this.hits += n;
  }
  recordMiss(): void {
    this.misses += 1;
  }
  recordStale(n: number): void {
    this.stale += n;
  }

  /** Share of claims served from Redis, 0–1; 1 before any claim (nothing was missed). */
  get hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 1 : this.hits / total;
  }
}
