import { compareBson } from './bson-order';
import { pathValues } from './document-paths';
import { badValue } from './engine-errors';
import type { DocHolder } from './ordered-index';
import type { Doc, SortSpec } from './types';

/**
 * MongoDB sort semantics: BSON cross-type order, an array field sorts by its
 * smallest element ascending and its largest descending, missing equals null,
 * and (our choice, documented) ties fall back to natural insertion order.
 */

export function validateSort(sort: SortSpec | undefined): Array<[string, 1 | -1]> {
  if (!sort) return [];
  const out: Array<[string, 1 | -1]> = [];
  for (const [field, dir] of Object.entries(sort as Doc)) {
    if (dir !== 1 && dir !== -1) {
      if (typeof dir === 'number' && dir !== 0) {
        out.push([field, dir < 0 ? -1 : 1]);
        continue;
      }
      throw badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    }
    out.push([field, dir]);
  }
  return out;
}

export function sortKeyOf(doc: Doc, field: string, dir: 1 | -1): unknown {
  const { values, expanded } = pathValues(doc, field);
  if (!expanded) return values[0];
  let best: unknown = values[0];
  for (let i = 1; i < values.length; i++) {
    const c = compareBson(values[i], best);
    if ((dir === 1 && c < 0) || (dir === -1 && c > 0)) best = values[i];
  }
  return best;
}

export interface Keyed {
  holder: DocHolder;
  keys: unknown[];
}

export function keyed(holder: DocHolder, spec: Array<[string, 1 | -1]>): Keyed {
  return { holder, keys: spec.map(([f, d]) => sortKeyOf(holder.doc, f, d)) };
}

export function compareKeyed(spec: Array<[string, 1 | -1]>): (a: Keyed, b: Keyed) => number {
  return (a, b) => {
    for (let i = 0; i < spec.length; i++) {
      const c = compareBson(a.keys[i], b.keys[i]);
      if (c !== 0) return c * spec[i][1];
    }
    return a.holder.seq - b.holder.seq;
  };
}

/**
 * The first `k` of `items` in sort order. A bounded insertion buffer when k is
 * small (a claim asks for 1), a full sort otherwise.
 */
export function topK(items: Iterable<Keyed>, k: number, cmp: (a: Keyed, b: Keyed) => number): Keyed[] {
  if (!Number.isFinite(k) || k > 256) {
    const all = Array.from(items);
    all.sort(cmp);
    return Number.isFinite(k) ? all.slice(0, k) : all;
  }
  const buf: Keyed[] = [];
  for (const item of items) {
    if (buf.length === k && cmp(item, buf[k - 1]) >= 0) continue;
    let lo = 0;
    let hi = buf.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(buf[mid], item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    buf.splice(lo, 0, item);
    if (buf.length > k) buf.pop();
  }
  return buf;
}
