import type { CollectionStore } from './collection-store';
import { compileFilter } from './mingo-context';
import type { DocHolder } from './ordered-index';
import { pointHolders, scanIndex, scanUnion } from './index-scan';
import { compileKeyTest } from './key-filter';
import { planQuery } from './query-planner';
import { compareKeyed, keyed, topK, validateSort } from './sort-order';
import { badValue } from './engine-errors';
import type { Doc, SortSpec } from './types';

export interface Selection {
  filter?: Doc;
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  hint?: string | Doc;
  collation?: Doc;
}

function nonNegative(value: number | undefined, name: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || Number.isNaN(value)) throw badValue(`${name} must be a number`);
  if (value < 0) throw badValue(`${name} must be a non-negative number`);
  return Math.floor(value);
}

/**
 * The documents a query selects, in output order, after skip and limit.
 * Index walks that already produce the sort stop as soon as enough matched.
 */
export function selectHolders(store: CollectionStore, sel: Selection): DocHolder[] {
  const sortSpec = validateSort(sel.sort);
  const skip = nonNegative(sel.skip, 'skip');
  const limit = Math.abs(sel.limit ?? 0);
  const want = limit > 0 ? skip + limit : Infinity;
  const matcher = compileFilter(sel.filter, sel.collation);
  const plan = planQuery(sel.filter, sortSpec, store.indexes, sel.hint);

  let source: Iterable<DocHolder>;
  let ordered: boolean;
  let naturalSource = false;
  if (plan.kind === 'id') {
    const holder = store.getById(plan.id);
    source = holder ? [holder] : [];
    ordered = true;
  } else if (plan.kind === 'scan') {
    source = store.docs.values();
    ordered = sortSpec.length === 0;
    naturalSource = true;
  } else if (plan.kind === 'or') {
    source = scanUnion(plan, sel.collation);
    ordered = false;
  } else {
    source = pointHolders(plan) ?? scanIndex(plan, compileKeyTest(sel.filter, plan.index, sel.collation));
    ordered = sortSpec.length > 0 && plan.providesSort;
  }

  if (ordered) {
    const out: DocHolder[] = [];
    if (want === 0) return out;
    for (const holder of source) {
      if (!matcher.test(holder.doc)) continue;
      out.push(holder);
      if (out.length >= want) break;
    }
    return out.slice(skip);
  }

  const matched: DocHolder[] = [];
  for (const holder of source) if (matcher.test(holder.doc)) matched.push(holder);
  if (sortSpec.length > 0) {
    const sorted = topK(matched.map((h) => keyed(h, sortSpec)), want, compareKeyed(sortSpec));
    return sorted.slice(skip).map((k) => k.holder);
  }
  if (!naturalSource) matched.sort((a, b) => a.seq - b.seq);
  return matched.slice(skip, want);
}

/** Counts matches; an empty filter without skip/limit/hint is answered from the size. */
export function countMatches(
  store: CollectionStore,
  filter: Doc,
  options: { skip?: number; limit?: number; hint?: string | Doc } = {},
): number {
  const skip = nonNegative(options.skip, 'skip');
  const limit = Math.abs(options.limit ?? 0);
  if (Object.keys(filter ?? {}).length === 0 && options.hint === undefined) {
    const n = Math.max(0, store.size - skip);
    return limit > 0 ? Math.min(n, limit) : n;
  }
  const matcher = compileFilter(filter);
  const plan = planQuery(filter, [], store.indexes, options.hint);
  let source: Iterable<DocHolder>;
  if (plan.kind === 'id') {
    const h = store.getById(plan.id);
    source = h ? [h] : [];
  } else if (plan.kind === 'scan') {
    source = store.docs.values();
  } else if (plan.kind === 'or') {
    source = scanUnion(plan);
  } else {
    source = pointHolders(plan) ?? scanIndex(plan, compileKeyTest(filter, plan.index));
  }
  let n = 0;
  const want = limit > 0 ? skip + limit : Infinity;
  for (const holder of source) {
    if (matcher.test(holder.doc) && ++n >= want) break;
  }
  return Math.max(0, n - skip);
}
