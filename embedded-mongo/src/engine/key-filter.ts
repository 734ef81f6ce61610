import { compareBson, isPlainObject, tagOf, typeRank } from './bson-order';
import type { SecondaryIndex } from './secondary-index';
import type { Doc } from './types';

/**
 * Rules documents out by their index key alone, before a document is fetched and matched,
 * as MongoDB checks predicates on indexed fields against the key. A test answers false
 * only when the key proves the document cannot match; every candidate it lets through is
 * still matched in full, so anything it cannot decide (other types, operators, fields
 * outside the index) simply passes. Only single-key indexes qualify: an entry of a
 * multikey index is one element among several. A key component is a scalar from the
 * document or a one-element array, or null for a missing field, null or `[]`.
 */
export type KeyTest = (key: unknown[]) => boolean;

type ValueTest = (component: unknown) => boolean;

interface Conjunction {
  checks: Array<{ position: number; test: ValueTest }>;
  /** Each `$or` met: at least one of its clauses must pass. */
  alternatives: Conjunction[][];
}

/** Values whose comparison here is exactly the matcher's: plain scalars of a type, or null. */
function decidable(value: unknown): boolean {
  switch (tagOf(value)) {
    case 'null': case 'string': case 'bool': case 'objectId': return true;
    case 'number': return typeof value === 'number' && !Number.isNaN(value);
    case 'date': return !Number.isNaN((value as Date).getTime());
    default: return false;
  }
}

function equal(component: unknown, value: unknown): boolean {
  return typeRank(component) === typeRank(value) && compareBson(component, value) === 0;
}

function equalsTest(value: unknown): ValueTest {
  // A null key may stand for `[]`, which `{ f: null }` does not match, but it never rules out null.
  if (value === null) return (c) => !decidable(c) || c === null;
  return (c) => !decidable(c) || (c !== null && equal(c, value));
}

function inTest(values: unknown[]): ValueTest {
  const hasNull = values.includes(null);
  return (c) => !decidable(c) || (c === null ? hasNull : values.some((v) => v !== null && equal(c, v)));
}

/** `$ne`: a key equal to the value rules the document out; a null key may be `[]`, which `$ne: null` matches. */
function notEqualTest(value: unknown): ValueTest {
  return (c) => !decidable(c) || c === null || !equal(c, value);
}

/** Comparisons are type-bracketed: null and other types never match `$lt`/`$gt` of a value. */
function rangeTest(op: string, value: unknown): ValueTest {
  return (c) => {
    if (!decidable(c)) return true;
    if (c === null || typeRank(c) !== typeRank(value)) return false;
    const cmp = compareBson(c, value);
    switch (op) {
      case '$lt': return cmp < 0;
      case '$lte': return cmp <= 0;
      case '$gt': return cmp > 0;
      default: return cmp >= 0;
    }
  };
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

function fieldTests(cond: unknown): ValueTest[] {
  if (!isOperatorObject(cond)) return decidable(cond) ? [equalsTest(cond)] : [];
  const out: ValueTest[] = [];
  for (const [op, arg] of Object.entries(cond)) {
    switch (op) {
      case '$eq': if (decidable(arg)) out.push(equalsTest(arg)); break;
      case '$ne': if (decidable(arg)) out.push(notEqualTest(arg)); break;
      case '$in': if (Array.isArray(arg) && arg.every(decidable)) out.push(inTest(arg)); break;
      case '$lt': case '$lte': case '$gt': case '$gte':
        if (arg !== null && decidable(arg)) out.push(rangeTest(op, arg));
        break;
      default: break;
    }
  }
  return out;
}

function conjunctionOf(filter: Doc, positions: Map<string, number>, into: Conjunction): Conjunction {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const part of cond) if (isPlainObject(part)) conjunctionOf(part, positions, into);
    } else if (key === '$or' && Array.isArray(cond) && cond.length > 0 && cond.every(isPlainObject)) {
      into.alternatives.push(cond.map((part) => conjunctionOf(part as Doc, positions, { checks: [], alternatives: [] })));
    } else if (!key.startsWith('$')) {
      const position = positions.get(key);
      if (position !== undefined) for (const test of fieldTests(cond)) into.checks.push({ position, test });
    }
  }
  return into;
}

function passes(c: Conjunction, key: unknown[]): boolean {
  for (const { position, test } of c.checks) if (!test(key[position])) return false;
  for (const clauses of c.alternatives) if (!clauses.some((clause) => passes(clause, key))) return false;
  return true;
}

function decidesAnything(c: Conjunction): boolean {
  return c.checks.length > 0 || c.alternatives.some((clauses) => clauses.every(decidesAnything));
}

/** The key test of `filter` on `index`, or undefined when the key can rule nothing out (or strings compare by a collation). */
export function compileKeyTest(filter: Doc | undefined, index: SecondaryIndex, collation?: Doc): KeyTest | undefined {
  if (!filter || index.multikey || (collation && Object.keys(collation).length > 0)) return undefined;
  const positions = new Map(index.fields.map((f, i) => [f, i]));
  const conjunction = conjunctionOf(filter, positions, { checks: [], alternatives: [] });
  if (!decidesAnything(conjunction)) return undefined;
  return (key) => passes(conjunction, key);
}
