import { EJSON, ObjectId } from 'bson';
import type { Doc } from '../../src/engine';
import type { SortSpec } from '../../src/engine/types';
import type { Collection } from '../../src/engine/collection';
import { compileKeyTest } from '../../src/engine/key-filter';
import { compileFilter } from '../../src/engine/mingo-context';
import { planQuery } from '../../src/engine/query-planner';
import { sortKeyOf } from '../../src/engine/sort-order';
import { freshCollection } from './helpers';

/**
 * Index-key predicates against the full matcher, on randomized documents (null, missing
 * fields, mixed types, one-element and empty arrays, embedded documents) and filters
 * ($or of 2–3 clauses, $ne, $in, ranges on indexed fields, sorts, limits): a key never rules
 * out a document the matcher accepts, and indexed reads answer exactly what a full scan does.
 */

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AT = Date.UTC(2024, 0, 1);
const OIDS = ['64b7f0c2a1b2c3d4e5f60718', '64b7f0c2a1b2c3d4e5f60719'].map((h) => ObjectId.createFromHexString(h));
const SCALARS: unknown[] = [
  null, 0, 1, 2, 2.5, -1, 'a', 'b', '', true, false,
  new Date(AT), new Date(AT + 1000), new Date(AT + 2000), OIDS[0], OIDS[1],
];
const FIELDS = ['a', 'b', 'c'];
const SORTS: Array<SortSpec | undefined> = [undefined, { a: 1 }, { a: 1, b: -1 }, { b: 1 }, { c: -1, a: 1 }, { a: -1, b: 1 }];

function pick<T>(rnd: () => number, from: readonly T[]): T {
  return from[Math.floor(rnd() * from.length)];
}

/** Arrays in `c` only: a document with arrays in two fields of one compound index cannot be indexed. */
function fieldValue(rnd: () => number, field: string): unknown {
  const r = rnd();
  if (r < 0.12) return undefined;
  if (field === 'c' && r < 0.2) return [pick(rnd, SCALARS)];
  if (field === 'c' && r < 0.24) return [];
  if (r < 0.28) return { x: pick(rnd, SCALARS) };
  return pick(rnd, SCALARS);
}

function documents(rnd: () => number, count: number): Doc[] {
  return Array.from({ length: count }, (_, i) => {
    const doc: Doc = { _id: i };
    for (const f of FIELDS) {
      const v = fieldValue(rnd, f);
      if (v !== undefined) doc[f] = v;
    }
    return doc;
  });
}

function condition(rnd: () => number): unknown {
  const v = pick(rnd, SCALARS);
  switch (Math.floor(rnd() * 8)) {
    case 0: return v;
    case 1: return { $eq: v };
    case 2: return { $ne: v };
    case 3: return { $in: [v, pick(rnd, SCALARS)] };
    case 4: return { $lte: v };
    case 5: return { $gte: v };
    case 6: return { $lt: v, $gt: pick(rnd, SCALARS) };
    default: return { $gt: v };
  }
}

function conjunction(rnd: () => number, fields: number): Doc {
  const out: Doc = {};
  for (let i = 0; i < fields; i++) out[pick(rnd, FIELDS)] = condition(rnd);
  return out;
}

function filterOf(rnd: () => number): Doc {
  const out = conjunction(rnd, Math.floor(rnd() * 3));
  if (rnd() < 0.7) {
    const clauses = 2 + Math.floor(rnd() * 2);
    out.$or = Array.from({ length: clauses }, () => conjunction(rnd, 1 + Math.floor(rnd() * 2)));
  }
  return out;
}

function indexedCollection(docs: Doc[]): Collection {
  const { coll } = freshCollection();
  const c = coll as Collection;
  c.createIndexes([{ key: { a: 1, b: -1, c: 1 }, name: 'a_b_c' }, { key: { b: 1, a: 1 }, name: 'b_a' }, { key: { c: 1 }, name: 'c_1' }]);
  expect(c.insertMany(docs, true).writeErrors).toEqual([]);
  return c;
}

describe('index-key predicates', () => {
  it.each([1, 2, 3, 4, 5, 6])('never rule out a document the matcher accepts (seed %i)', (seed) => {
    const rnd = random(seed);
    const coll = indexedCollection(documents(rnd, 200));
    const indexes = coll.store.indexes.filter((ix) => ix.name !== '_id_');
    let ruledOut = 0;
    for (let round = 0; round < 150; round++) {
      const filter = filterOf(rnd);
      const matcher = compileFilter(filter);
      for (const index of indexes) {
        const test = compileKeyTest(filter, index);
        if (!test) continue;
        for (const holder of coll.store.docs.values()) {
          const [entry] = index.keysFor(holder.doc, holder);
          if (test(entry.key)) continue;
          ruledOut++;
          if (matcher.test(holder.doc)) throw new Error(`key ${JSON.stringify(entry.key)} ruled out a match of ${JSON.stringify(filter)}`);
        }
      }
    }
    // The tests decide something: most random filters rule out many keys.
    expect(ruledOut).toBeGreaterThan(1000);
  });

  it.each([11, 12, 13, 14, 15, 16])('indexed finds answer what a full scan answers, in order (seed %i)', (seed) => {
    const rnd = random(seed);
    const coll = indexedCollection(documents(rnd, 300));
    let unions = 0;
    for (let round = 0; round < 120; round++) {
      const filter = filterOf(rnd);
      if (planQuery(filter, [], coll.store.indexes).kind === 'or') unions++;
      const sort = pick(rnd, SORTS);
      const limit = pick(rnd, [0, 1, 5]);
      const planned = coll.find({ filter, sort, limit });
      const scanned = coll.find({ filter, sort, limit, hint: { $natural: 1 } });
      // Ties of a sort may come in index order rather than natural order (MongoDB leaves them
      // unspecified): compare the sort keys in order, and the documents themselves without a limit.
      const view = (docs: Doc[]) => ({
        filter, sort, limit,
        keys: EJSON.stringify(docs.map((d) => Object.entries(sort ?? {}).map(([f, dir]) => sortKeyOf(d, f, dir))), { relaxed: false }),
        ids: limit === 0 ? docs.map((d) => d._id).sort((x, y) => Number(x) - Number(y)) : docs.length,
      });
      expect(view(planned)).toEqual(view(scanned));
      const matcher = compileFilter(filter);
      for (const doc of planned) expect(matcher.test(doc)).toBe(true);
      if (!sort) expect(planned.map((d) => d._id)).toEqual(scanned.map((d) => d._id));
      expect(coll.count(filter)).toBe(coll.count(filter, { hint: { $natural: 1 } }));
    }
  });

  it('an $or whose every clause is bounded on an index reads the union of the clauses’ walks', () => {
    const coll = indexedCollection(documents(random(21), 300));
    const indexes = coll.store.indexes;
    const union = planQuery({ $or: [{ a: 1 }, { b: { $lte: 2 } }, { c: 'a' }] }, [], indexes);
    expect(union.kind === 'or' && union.clauses.map((c) => c.plan.index.name)).toEqual(['a_b_c', 'b_a', 'c_1']);
    // The rest of the filter joins each clause: here it bounds every clause on a_b_c.
    const joined = planQuery({ a: { $gte: 0 }, $or: [{ x: 1 }, { y: 2 }] }, [], indexes);
    expect(joined.kind).toBe('index');
    // One clause without an index: the whole filter falls back (to a scan here).
    expect(planQuery({ $or: [{ a: 1 }, { x: 2 }] }, [], indexes).kind).toBe('scan');
    expect(planQuery({ $or: [{ a: 1 }, { b: 2 }] }, [], indexes, { $natural: 1 }).kind).toBe('scan');
    const filter = { $or: [{ a: { $in: [1, 'a'] } }, { b: { $gte: 1, $lt: 3 } }, { c: null }] };
    const expected = coll.find({ filter, hint: { $natural: 1 } }).map((d) => d._id);
    expect(expected.length).toBeGreaterThan(10);
    expect(coll.find({ filter }).map((d) => d._id)).toEqual(expected);
    expect(coll.find({ filter, sort: { c: -1 }, limit: 7 }).map((d) => sortKeyOf(d, 'c', -1)))
      .toEqual(coll.find({ filter, sort: { c: -1 }, limit: 7, hint: { $natural: 1 } }).map((d) => sortKeyOf(d, 'c', -1)));
    expect(coll.count(filter)).toBe(expected.length);
  });

  it('leave multikey indexes and collations to the matcher', () => {
    const coll = indexedCollection([{ _id: 1, a: [1, 5] }, { _id: 2, a: 3 }]);
    const index = coll.store.indexes.find((ix) => ix.name === 'a_b_c');
    if (!index) throw new Error('no index');
    expect(index.multikey).toBe(true);
    expect(compileKeyTest({ a: { $lte: 2 } }, index)).toBeUndefined();
    expect(coll.find({ filter: { a: { $ne: 1 } }, sort: { a: 1 } }).map((d) => d._id)).toEqual([2]);
    const single = indexedCollection([{ _id: 1, a: 'B' }]).store.indexes.find((ix) => ix.name === 'a_b_c');
    if (!single) throw new Error('no index');
    expect(compileKeyTest({ a: 'b' }, single, { locale: 'en', strength: 2 })).toBeUndefined();
    expect(compileKeyTest({ a: 'b' }, single)?.(['B', null, null])).toBe(false);
  });

  it('Agenda’s lock query skips locked and finished jobs by their keys', () => {
    const { coll } = freshCollection();
    const c = coll as Collection;
    c.createIndexes([{ key: { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 }, name: 'findAndLockNextJobIndex' }]);
    const now = new Date(AT);
    c.insertMany([
      { _id: 1, name: 'j', nextRunAt: new Date(AT - 5000), priority: 0, lockedAt: new Date(AT - 10), disabled: null },
      { _id: 2, name: 'j', nextRunAt: null, priority: 0, lockedAt: null, disabled: null },
      { _id: 3, name: 'j', nextRunAt: new Date(AT - 4000), priority: 0, lockedAt: null, disabled: true },
      { _id: 4, name: 'j', nextRunAt: new Date(AT - 3000), priority: 0, lockedAt: null, disabled: false },
      { _id: 5, name: 'j', nextRunAt: new Date(AT - 6000), priority: 0, lockedAt: new Date(AT - 700_000), disabled: null },
    ], true);
    const query = {
      name: 'j', disabled: { $ne: true },
      $or: [{ lockedAt: { $eq: null }, nextRunAt: { $lte: now } }, { lockedAt: { $lte: new Date(AT - 600_000) } }],
    };
    const index = c.store.indexes.find((ix) => ix.name === 'findAndLockNextJobIndex');
    const test = index && compileKeyTest(query, index);
    if (!index || !test) throw new Error('expected a key test');
    const passing = [...c.store.docs.values()].filter((h) => test(index.keysFor(h.doc, h)[0].key)).map((h) => h.doc._id);
    expect(passing).toEqual([4, 5]);
    expect(c.find({ filter: query, sort: { nextRunAt: 1, priority: -1 } }).map((d) => d._id)).toEqual([5, 4]);
  });
});
