import { KeyBound } from './key-bound';
import { compileKeyTest, type KeyTest } from './key-filter';
import type { DocHolder, IndexEntry } from './ordered-index';
import { NOT_POINT } from './point-map';
import type { IndexPlan, OrPlan } from './query-planner';
import type { Doc } from './types';

/** Walks the key intervals of an index plan and yields each document once. */

function cartesian(lists: unknown[][]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const list of lists) {
    const next: unknown[][] = [];
    for (const prefix of out) for (const v of list) next.push([...prefix, v]);
    out = next;
  }
  return out;
}

function bounds(plan: IndexPlan, prefix: unknown[]): { start: IndexEntry; end: IndexEntry } {
  const { index, range } = plan;
  const start: unknown[] = prefix.slice();
  const end: unknown[] = prefix.slice();
  for (let i = prefix.length; i < index.fields.length; i++) {
    const dir = index.directions[i];
    let lo: KeyBound = KeyBound.LOW;
    let hi: KeyBound = KeyBound.HIGH;
    if (i === prefix.length && range) {
      const { lower, upper } = range;
      if (lower) lo = lower.inclusive ? KeyBound.before(lower.value) : KeyBound.after(lower.value);
      else if (upper) lo = KeyBound.typeStart(upper.value);
      if (upper) hi = upper.inclusive ? KeyBound.after(upper.value) : KeyBound.before(upper.value);
      else if (lower) hi = KeyBound.typeEnd(lower.value);
    }
    start.push(dir === 1 ? lo : hi);
    end.push(dir === 1 ? hi : lo);
  }
  return { start: { key: start, seq: -Infinity }, end: { key: end, seq: Infinity } };
}

function sameKey(a: IndexEntry, b: IndexEntry, cmp: (x: IndexEntry, y: IndexEntry) => number): boolean {
  return cmp({ key: a.key, seq: 0 }, { key: b.key, seq: 0 }) === 0;
}

/** Backward walks would list equal keys newest first; re-reverse each run so ties stay in natural order. */
function* tiesInNaturalOrder(
  entries: Iterable<IndexEntry>,
  cmp: (x: IndexEntry, y: IndexEntry) => number,
): Generator<IndexEntry> {
  let run: IndexEntry[] = [];
  for (const e of entries) {
    if (run.length && !sameKey(run[0], e, cmp)) {
      for (let i = run.length - 1; i >= 0; i--) yield run[i];
      run = [];
    }
    run.push(e);
  }
  for (let i = run.length - 1; i >= 0; i--) yield run[i];
}

/** `keyTest` skips entries whose key already rules their document out, before it is fetched. */
export function* scanIndex(plan: IndexPlan, keyTest?: KeyTest): Generator<DocHolder> {
  const tree = plan.index.tree;
  const cmp = (a: IndexEntry, b: IndexEntry): number => tree.compare(a, b);
  const prefixes = cartesian(plan.eqValues);
  if (plan.backward) prefixes.reverse();
  const seen = plan.index.multikey ? new Set<number>() : undefined;
  for (const prefix of prefixes) {
    const { start, end } = bounds(plan, prefix);
    const walk = plan.backward ? tiesInNaturalOrder(tree.backward(start, end), cmp) : tree.forward(start, end);
    for (const entry of walk) {
      if (keyTest && !keyTest(entry.key)) continue;
      if (seen) {
        if (seen.has(entry.seq)) continue;
        seen.add(entry.seq);
      }
      if (entry.holder) yield entry.holder;
    }
  }
}

/** Each clause's walk in turn (its own key test), each document once; in no particular order. */
export function* scanUnion(plan: OrPlan, collation?: Doc): Generator<DocHolder> {
  const seen = new Set<number>();
  for (const clause of plan.clauses) {
    for (const holder of scanIndex(clause.plan, compileKeyTest(clause.filter, clause.plan.index, collation))) {
      if (seen.has(holder.seq)) continue;
      seen.add(holder.seq);
      yield holder;
    }
  }
}

/**
 * The documents of an equality-only plan on a unique single-field index, found by
 * hash lookups in the order scanIndex would yield them; undefined when the plan is of
 * another shape or a value is one the point map does not hold (scanIndex then walks).
 */
export function pointHolders(plan: IndexPlan): DocHolder[] | undefined {
  const points = plan.index.points;
  if (!points || plan.range || plan.eqValues.length !== 1) return undefined;
  const values = plan.eqValues[0];
  const out: DocHolder[] = [];
  const seen = plan.index.multikey ? new Set<number>() : undefined;
  for (let i = 0; i < values.length; i++) {
    const entry = points.get(values[plan.backward ? values.length - 1 - i : i]);
    if (entry === NOT_POINT) return undefined;
    if (!entry?.holder) continue;
    if (seen) {
      if (seen.has(entry.seq)) continue;
      seen.add(entry.seq);
    }
    out.push(entry.holder);
  }
  return out;
}
