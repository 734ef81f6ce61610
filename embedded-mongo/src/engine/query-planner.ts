import { compareBson } from './bson-order';
import { isPlainObject } from './bson-order';
import { badValue } from './engine-errors';
import { analyzeFilter, type FieldConstraint } from './filter-analysis';
import type { SecondaryIndex } from './secondary-index';
import type { Doc } from './types';

/**
 * Chooses how to read a query: which index (if any), the key intervals to walk,
 * and whether walking them yields the requested sort order.
 */
export interface IndexPlan {
  kind: 'index';
  index: SecondaryIndex;
  /** Per index field: exact values (eq prefix), then optionally a range on the next field. */
  eqValues: unknown[][];
  range?: FieldConstraint;
  /** The walk produces the requested sort (forward or backward). */
  providesSort: boolean;
  backward: boolean;
}

/**
 * An `$or` whose every clause (with the rest of the filter) is bounded on some index: each
 * clause walks its own index and the union is read once per document, as MongoDB's OR stage.
 */
export interface OrPlan {
  kind: 'or';
  clauses: Array<{ plan: IndexPlan; filter: Doc }>;
}

export type QueryPlan = IndexPlan | OrPlan | { kind: 'scan' } | { kind: 'id'; id: unknown };

const MAX_INTERVALS = 256;

function resolveHint(hint: string | Doc, indexes: SecondaryIndex[]): SecondaryIndex | 'natural' {
  if (typeof hint === 'string') {
    const found = indexes.find((ix) => ix.name === hint);
    if (found) return found;
  } else if (hint && typeof hint === 'object') {
    if ('$natural' in hint) return 'natural';
    const want = Object.entries(hint);
    const found = indexes.find((ix) => {
      const have = Object.entries(ix.spec.key);
      return have.length === want.length
        && have.every(([f, d], i) => want[i][0] === f && Number(want[i][1]) === d);
    });
    if (found) return found;
  }
  throw badValue('error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
}

function planFor(
  index: SecondaryIndex,
  constraints: Map<string, FieldConstraint>,
  sort: Array<[string, 1 | -1]>,
): IndexPlan {
  const eqValues: unknown[][] = [];
  let intervals = 1;
  let i = 0;
  for (; i < index.fields.length; i++) {
    const c = constraints.get(index.fields[i]);
    if (!c?.values || intervals * c.values.length > MAX_INTERVALS) break;
    const unique = dedupe(c.values);
    intervals *= unique.length;
    eqValues.push(unique);
  }
  let range: FieldConstraint | undefined;
  if (i < index.fields.length) {
    const c = constraints.get(index.fields[i]);
    if (c && (c.lower || c.upper)) {
      // On a multikey index two bounds may be met by different elements: keep one bound only.
      range = index.multikey && c.lower && c.upper ? { lower: c.lower } : { lower: c.lower, upper: c.upper };
    }
  }
  let providesSort = false;
  let backward = false;
  if (!index.multikey && intervals === 1) {
    const eqFields = new Set(index.fields.slice(0, eqValues.length));
    const rest = sort.filter(([f]) => !eqFields.has(f));
    providesSort = rest.length === 0 || rest.every(([f, d], j) => {
      const k = eqValues.length + j;
      if (index.fields[k] !== f) return false;
      const sameDir = d === index.directions[k];
      if (j === 0) backward = !sameDir;
      return sameDir !== backward;
    });
    if (rest.length === 0) backward = false;
  }
  return { kind: 'index', index, eqValues, range, providesSort, backward };
}

function dedupe(values: unknown[]): unknown[] {
  const sorted = values.slice().sort(compareBson);
  return sorted.filter((v, i) => i === 0 || compareBson(v, sorted[i - 1]) !== 0);
}

function score(plan: IndexPlan, hasSort: boolean): number {
  const prefix = plan.eqValues.length + (plan.range ? 1 : 0);
  return prefix * 10 + (hasSort && plan.providesSort ? 5 : 0) + (plan.index.name === '_id_' ? 0 : 1);
}

export function planQuery(
  filter: Doc | undefined,
  sort: Array<[string, 1 | -1]>,
  indexes: SecondaryIndex[],
  hint?: string | Doc,
): QueryPlan {
  const constraints = analyzeFilter(filter);
  if (hint !== undefined && hint !== null && !(typeof hint === 'object' && Object.keys(hint).length === 0)) {
    const chosen = resolveHint(hint, indexes);
    if (chosen === 'natural') return { kind: 'scan' };
    return planFor(chosen, constraints, sort);
  }
  const idc = constraints.get('_id');
  if (idc?.values?.length === 1 && sort.length === 0) return { kind: 'id', id: idc.values[0] };
  const best = bestIndexPlan(constraints, sort, indexes);
  if (!best || !bounded(best)) return planOr(filter, indexes) ?? best ?? { kind: 'scan' };
  return best;
}

function bounded(plan: IndexPlan): boolean {
  return plan.eqValues.length > 0 || plan.range !== undefined;
}

function bestIndexPlan(
  constraints: Map<string, FieldConstraint>,
  sort: Array<[string, 1 | -1]>,
  indexes: SecondaryIndex[],
): IndexPlan | undefined {
  let best: IndexPlan | undefined;
  let bestScore = 0;
  for (const index of indexes) {
    if (!index.complete) continue;
    const plan = planFor(index, constraints, sort);
    const s = score(plan, sort.length > 0);
    if (s > bestScore && (bounded(plan) || (sort.length > 0 && plan.providesSort))) {
      best = plan;
      bestScore = s;
    }
  }
  return best;
}

/** Each `$or` clause planned on its own, ANDed with the rest of the filter; undefined when one has no bounded index. */
function planOr(filter: Doc | undefined, indexes: SecondaryIndex[]): OrPlan | undefined {
  const clauses = filter?.$or;
  if (!filter || !Array.isArray(clauses) || clauses.length === 0 || !clauses.every(isPlainObject)) return undefined;
  const { $or: _or, ...rest } = filter;
  const out: OrPlan['clauses'] = [];
  for (const clause of clauses as Doc[]) {
    const clauseFilter = Object.keys(rest).length > 0 ? { $and: [rest, clause] } : clause;
    const plan = bestIndexPlan(analyzeFilter(clauseFilter), [], indexes);
    if (!plan || !bounded(plan)) return undefined;
    out.push({ plan, filter: clauseFilter });
  }
  return { kind: 'or', clauses: out };
}
