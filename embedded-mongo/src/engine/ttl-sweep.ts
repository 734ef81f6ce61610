import type { CollectionStore } from './collection-store';
import { scanIndex } from './index-scan';
import type { DocHolder } from './ordered-index';

/**
 * Deletes documents whose TTL-indexed field holds a Date (or an array with one,
 * the earliest counting) at or before `now - expireAfterSeconds`. Other values
 * never expire. Walks only the Date part of the index, up to the cutoff.
 */
export function sweepCollection(store: CollectionStore, now: Date): number {
  let removed = 0;
  for (const index of store.indexes.slice()) {
    const ttl = index.spec.expireAfterSeconds;
    if (ttl === undefined || !store.indexes.includes(index)) continue;
    const cutoff = new Date(now.getTime() - ttl * 1000);
    const expired: DocHolder[] = [];
    for (const holder of scanIndex({
      kind: 'index', index, eqValues: [], providesSort: false, backward: false,
      range: { upper: { value: cutoff, inclusive: true } },
    })) {
      expired.push(holder);
    }
    for (const holder of expired) {
      store.remove(holder);
      removed++;
    }
  }
  return removed;
}
