import type { JobServices } from '../../src/domain/job-definition';

/** A warmer: a named MongoDB query/aggregation, or an application function, whose result is cached. */
export type CacheWarmer =
  | { kind: 'query'; collection: string; filter?: Record<string, unknown>; sort?: Record<string, 1 | -1>; limit?: number; ttlMs?: number }
  | { kind: 'aggregate'; collection: string; pipeline: Array<Record<string, unknown>>; ttlMs?: number }
  | { kind: 'function'; run(services: JobServices): Promise<unknown>; ttlMs?: number };

const warmers = new Map<string, CacheWarmer>();

/**
 * Registers a warmer under a name (code only: a job's payload can name warmers, never define
 * queries, so no caller can make cache_warm read an arbitrary collection).
 */
export function registerCacheWarmer(name: string, warmer: CacheWarmer): void {
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(name)) throw new RangeError(`cache warmer name "${name}" must be 1–100 of letters, digits, _ . : -`);
  warmers.set(name, warmer);
}

export function unregisterCacheWarmer(name: string): void {
  warmers.delete(name);
}

export function cacheWarmer(name: string): CacheWarmer | undefined {
  return warmers.get(name);
}

export function cacheWarmerNames(): string[] {
  return [...warmers.keys()].sort();
}

/** Runs one warmer and returns what to cache. */
export async function runWarmer(warmer: CacheWarmer, services: JobServices): Promise<unknown> {
  switch (warmer.kind) {
    case 'query': {
      const cursor = services.mongo.collection(warmer.collection).find(warmer.filter ?? {});
      if (warmer.sort) cursor.sort(warmer.sort);
      return cursor.limit(warmer.limit ?? 1000).toArray();
    }
    case 'aggregate':
      return services.mongo.collection(warmer.collection).aggregate(warmer.pipeline).toArray();
    case 'function':
      return warmer.run(services);
  }
}

// Shipped warmer: job counts by status and band, for dashboards that must not query MongoDB.
registerCacheWarmer('queue_job_counts', {
  kind: 'aggregate',
  collection: 'jobs',
  pipeline: [{ $group: { _id: { queue: '$queue', status: '$status', band: '$band' }, n: { $sum: 1 } } }, { $sort: { '_id.queue': 1, '_id.status': 1, '_id.band': 1 } }],
});
