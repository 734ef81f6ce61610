import { Decimal128, Double, EJSON, Int32, Long, ObjectId } from 'bson';
import type { Doc } from '../../src/engine';
import { compareBson } from '../../src/engine/bson-order';
import type { Collection } from '../../src/engine/collection';
import { pointHolders, scanIndex } from '../../src/engine/index-scan';
import { KeyBound } from '../../src/engine/key-bound';
import { OrderedIndex } from '../../src/engine/ordered-index';
import { project, projectWithMingo, topLevelProjection } from '../../src/engine/projection';
import { planQuery } from '../../src/engine/query-planner';
import { codeOf, freshCollection } from './helpers';

/**
 * The direct read paths against the general ones: point lookups on unique single-field
 * indexes against the index walk, top-level projections against mingo, and the index's
 * inlined key comparison against compareBson.
 */

const OID_A = ObjectId.createFromHexString('64b7f0c2a1b2c3d4e5f60718');
const OID_B = ObjectId.createFromHexString('64b7f0c2a1b2c3d4e5f60719');
const AT = new Date('2024-01-02T03:04:05.000Z');
const ejson = (value: unknown): string => EJSON.stringify(value, { relaxed: false });

/** Every `k` value here is distinct under BSON equality (the index is unique). */
const KEYS: unknown[] = [
  'a', 'b', '', 1, 2.5, -0.5, NaN, new Long(7), new Int32(8), new Double(9.5), Decimal128.fromString('11'),
  true, false, null, AT, new Date(AT.getTime() + 1), OID_A, OID_B, { x: 1 }, [20, 21], /re/,
];

function uniqueCollection(): Collection {
  const { coll } = freshCollection();
  const c = coll as Collection;
  c.createIndexes([{ key: { k: 1 }, name: 'k_1', unique: true }]);
  expect(c.insertMany(KEYS.map((k, i) => ({ _id: i, k })), true).writeErrors).toEqual([]);
  return c;
}

describe('point lookups on a unique single-field index', () => {
  const coll = uniqueCollection();
  const PROBES: unknown[] = [
    ...KEYS, 1.0, new Long(1), new Int32(1), new Double(1), -0, 0, 7, 8, new Long(9), 11, new Date(AT.getTime()),
    ObjectId.createFromHexString(OID_A.toHexString()), 'missing', 3, undefined,
  ];

  it.each(PROBES.map((p) => [ejson({ p }), p]))('probe %s finds what the index walk finds', (_label, probe) => {
    const plan = planQuery({ k: probe }, [], coll.store.indexes, 'k_1');
    if (plan.kind !== 'index') throw new Error('expected an index plan');
    const walked = [...scanIndex(plan)];
    const direct = pointHolders(plan);
    // Embedded documents, arrays and regexes give the planner no equality values: nothing to look up.
    if (direct !== undefined) expect(direct).toEqual(walked);
    else expect(plan.eqValues).toEqual([]);
  });

  it('answers $in lists in index order, forward and backward', () => {
    const values = [OID_B, 'b', 2.5, 'a', new Long(7), null, AT, 'zz', OID_A];
    const plan = planQuery({ k: { $in: values } }, [], coll.store.indexes, 'k_1');
    if (plan.kind !== 'index') throw new Error('expected an index plan');
    expect(pointHolders(plan)).toEqual([...scanIndex(plan)]);
    const backward = { ...plan, backward: true };
    expect(pointHolders(backward)).toEqual([...scanIndex(backward)]);
  });

  it('finds the same documents as a collection scan', () => {
    for (const filter of [{ k: { $in: ['a', 1, 7, AT, OID_A, true] } }, { k: 8 }, { k: null }, { k: NaN }]) {
      const byIndex = coll.find({ filter, hint: 'k_1' });
      const byScan = coll.find({ filter, hint: { $natural: 1 } });
      expect(ejson(byIndex)).toBe(ejson(byScan));
    }
  });

  it('rejects keys equal under BSON equality, and follows updates and deletes', () => {
    const { coll: c } = freshCollection();
    c.createIndexes([{ key: { k: 1 }, name: 'k_1', unique: true }]);
    c.insertMany([{ _id: 1, k: 1 }, { _id: 2, k: AT }, { _id: 3, k: OID_A }, { _id: 4, k: 's' }, { _id: 5, k: [6, 7] }], true);
    for (const dup of [new Long(1), 1.0, new Date(AT.getTime()), ObjectId.createFromHexString(OID_A.toHexString()), 's', 7]) {
      expect(c.insertMany([{ _id: 9, k: dup }], true).writeErrors.map((e) => e.error.code)).toEqual([11000]);
      if (dup !== 's') expect(codeOf(() => c.update({ q: { _id: 4 }, u: { $set: { k: dup } } }))).toBe(11000);
    }
    expect(c.update({ q: { _id: 1 }, u: { $set: { k: 2 } } }).modified).toBe(1);
    expect(c.find({ filter: { k: 1 } })).toEqual([]);
    expect(c.find({ filter: { k: 2 } }).map((d) => d._id)).toEqual([1]);
    expect(c.find({ filter: { k: { $in: [6, 7] } } }).map((d) => d._id)).toEqual([5]);
    c.insertMany([{ _id: 10, k: 1 }], true);
    c.delete({ k: 's' }, 0);
    expect(c.find({ filter: { k: 's' } })).toEqual([]);
    c.insertMany([{ _id: 11, k: 's' }], true);
    expect(c.find({ filter: { k: { $in: ['s', 1] } } }).map((d) => d._id)).toEqual([10, 11]);
  });
});

describe('top-level projections', () => {
  const DOCS: Doc[] = [
    { _id: 1, a: 1, b: 'x', c: { d: 1 }, e: [1, { f: 2 }], history: [{ to: 'p' }], errors: [] },
    { b: 2, _id: OID_A, a: null, z: AT },
    { _id: { x: 1 }, c: [] },
    { a: 1 },
  ];
  const PROJECTIONS: Doc[] = [
    { history: 0, errors: 0, lastError: 0, result: 0, progress: 0 },
    { a: false, _id: 0 },
    { _id: 0 },
    { c: 0, missing: 0 },
    { z: false, b: 0 },
  ];

  it.each(PROJECTIONS.map((p) => [JSON.stringify(p), p]))('%s equals mingo', (_label, projection) => {
    expect(topLevelProjection(projection)).toBeDefined();
    expect(ejson(project(DOCS, projection, undefined))).toBe(ejson(projectWithMingo(DOCS, projection, undefined)));
  });

  it('leaves every other projection to mingo', () => {
    for (const projection of [{ a: 1 }, { _id: 1 }, { _id: 1, a: 0 }, { 'c.d': 0 }, { a: 1, b: 0 }, { e: { $slice: 1 } }, { a: -0.5 }, { a: '$b' }, { 'e.$': 1 }, { $a: 0 }]) {
      expect(topLevelProjection(projection)).toBeUndefined();
    }
  });
});

describe('index key comparison', () => {
  const VALUES: unknown[] = [
    'a', 'b', '', 1, -1, 0, -0, 2.5, NaN, Infinity, -Infinity, new Long(1), AT, new Date(0), new Date(NaN),
    OID_A, OID_B, null, true, { x: 1 }, [1],
  ];

  it('orders keys as compareBson does, per direction, then by seq', () => {
    for (const dirs of [[1, 1], [-1, 1]]) {
      const tree = new OrderedIndex(dirs);
      for (const x of VALUES) {
        for (const y of VALUES) {
          const got = Math.sign(tree.compare({ key: [x, 'k'], seq: 1 }, { key: [y, 'k'], seq: 2 }));
          const want = Math.sign(compareBson(x, y) * dirs[0]) || -1;
          expect([ejson({ x }), ejson({ y }), got]).toEqual([ejson({ x }), ejson({ y }), want]);
        }
      }
    }
  });

  it('still compares values with bounds', () => {
    const tree = new OrderedIndex([1]);
    expect(tree.compare({ key: [AT], seq: 0 }, { key: [KeyBound.after(AT)], seq: 0 })).toBeLessThan(0);
    expect(tree.compare({ key: ['a'], seq: 0 }, { key: [KeyBound.before('a')], seq: 0 })).toBeGreaterThan(0);
  });
});
