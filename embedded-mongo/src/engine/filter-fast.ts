import type { Doc } from './types';

/**
 * Equality filters as the job queue writes them, `{ jobId: { $in: [...] }, status: 'pending' }`,
 * decided without mingo: every field is a path compared by `v`, `{ $eq: v }` or `{ $in: [v...] }`
 * with v a string, boolean or number (not NaN). Missing and null values never equal such
 * a v; any other value that is not a plain scalar (array, embedded document, Date, bson
 * types, a path through an array) is left to mingo, so the answer is always mingo's.
 */

type Scalar = string | boolean | number;
/** true/false, or undefined when mingo must decide. */
type FieldTest = (value: unknown) => boolean | undefined;

interface Clause {
  path: string[];
  test: FieldTest;
}

export interface FilterTester {
  test(doc: Doc): boolean;
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && !Number.isNaN(value));
}

/** A missing or null field never equals a scalar; other non-scalars go to mingo. */
function eqTest(expected: Scalar): FieldTest {
  return (value) => {
    if (isScalar(value)) return value === expected;
    return value === undefined || value === null ? false : undefined;
  };
}

function inTest(values: Set<Scalar>): FieldTest {
  return (value) => {
    // Set membership is SameValueZero: 0 and -0 match, as in mingo.
    if (isScalar(value)) return values.has(value);
    return value === undefined || value === null ? false : undefined;
  };
}

function clauseFor(cond: unknown): FieldTest | undefined {
  if (isScalar(cond)) return eqTest(cond);
  if (typeof cond !== 'object' || cond === null || Object.getPrototypeOf(cond) !== Object.prototype) return undefined;
  const keys = Object.keys(cond);
  if (keys.length !== 1) return undefined;
  const arg = (cond as Doc)[keys[0]];
  if (keys[0] === '$eq') return isScalar(arg) ? eqTest(arg) : undefined;
  if (keys[0] === '$in') return Array.isArray(arg) && arg.every(isScalar) ? inTest(new Set(arg)) : undefined;
  return undefined;
}

/** The value at `path` through embedded documents: undefined when missing, MINGO when an array or scalar is in the way. */
const MINGO = Symbol('mingo');
function valueAt(doc: Doc, path: string[]): unknown {
  let cur: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    if (typeof cur !== 'object' || cur === null) return cur === undefined || cur === null ? undefined : MINGO;
    if (Object.getPrototypeOf(cur) !== Object.prototype) return MINGO;
    if (!Object.prototype.hasOwnProperty.call(cur, path[i])) return undefined;
    cur = (cur as Doc)[path[i]];
  }
  return cur;
}

/** A tester for `filter`, or undefined when it is not an equality filter of this shape. `mingo` answers the rest. */
export function compileEqualityFilter(filter: Doc, mingo: () => FilterTester): FilterTester | undefined {
  const clauses: Clause[] = [];
  for (const key of Object.keys(filter)) {
    if (key === '' || key.startsWith('$')) return undefined;
    const path = key.split('.');
    if (path.some((s) => s === '' || s.startsWith('$') || s in Object.prototype)) return undefined;
    const test = clauseFor(filter[key]);
    if (!test) return undefined;
    clauses.push({ path, test });
  }
  return {
    test(doc: Doc): boolean {
      for (const clause of clauses) {
        const value = valueAt(doc, clause.path);
        const answer = value === MINGO ? undefined : clause.test(value);
        if (answer === undefined) return mingo().test(doc);
        if (!answer) return false;
      }
      return true;
    },
  };
}
