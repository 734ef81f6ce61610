import { EJSON, Long, ObjectId } from 'bson';
import { Query } from 'mingo/query';
import { EngineError, type Doc } from '../../src/engine';
import { compileEqualityFilter } from '../../src/engine/filter-fast';
import { BASE_OPTIONS } from '../../src/engine/mingo-context';
import { applyUpdate, applyUpdateWithMingo, type ApplyContext } from '../../src/engine/update-apply';
import { applyFastUpdate, compileFastUpdate, FALLBACK } from '../../src/engine/update-fast';
import { parseUpdate } from '../../src/engine/update-parse';
import { freshCollection } from './helpers';

/**
 * The fast update path against the mingo path: every case runs through both and must
 * give the same document (compared as canonical Extended JSON, so field order and
 * number types count), the same "unchanged", or the same error code and message.
 */

const OID = ObjectId.createFromHexString('64b7f0c2a1b2c3d4e5f60718');
const AT = new Date('2024-01-02T03:04:05.000Z');

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
      Object.freeze(value);
      for (const v of Object.values(value)) deepFreeze(v);
    }
  }
  return value;
}

/** A stored document: frozen, so any write into it (or into what it shares) throws. */
function base(): Doc {
  return deepFreeze({
    _id: 1, a: 1, s: 'x', n: null, d: AT, t: true, oid: OID, f: 1.5,
    arr: [1, 2, 3], e: [], o: { p: 1, q: { r: 2 } },
    history: [{ from: null, to: 'pending', at: AT, by: 'api' }],
  });
}

function job(): Doc {
  return deepFreeze({
    _id: OID, jobId: 'j1', queue: 'q', status: 'pending', priority: 5, attempts: 0, data: { to: 'a@b.c', tags: ['x'] },
    lockedBy: null, lockToken: null, lockedUntil: null, processingAt: null, batchedUntil: AT, createdAt: AT, updatedAt: AT,
    history: Array.from({ length: 100 }, (_, i) => ({ from: 'pending', to: 'processing', at: AT, by: `w${i}` })),
  });
}

type Outcome = { unchanged: true } | { doc: string } | { code: number; message: string };

function outcome(fn: () => Doc | undefined): Outcome {
  try {
    const doc = fn();
    return doc === undefined ? { unchanged: true } : { doc: EJSON.stringify(doc, { relaxed: false }) };
  } catch (err) {
    if (err instanceof EngineError) return { code: err.code, message: err.message };
    throw err;
  }
}

/** How the fast path itself treats the case. */
type Route = 'fast' | 'declined' | 'fallback';

interface Case {
  name: string;
  doc?: () => Doc;
  u: Doc;
  route: Route;
  ctx?: ApplyContext;
}

const claim = {
  $set: { status: 'processing', lockedBy: 'w1', lockToken: 'tok', lockedUntil: new Date(AT.getTime() + 30_000), processingAt: AT, batchedUntil: null, updatedAt: AT },
  $inc: { attempts: 1 },
  $push: { history: { $each: [{ from: 'pending', to: 'processing', at: AT, by: 'w1' }], $slice: -100 } },
};
const complete = {
  $set: { status: 'completed', completedAt: AT, result: { ok: true, n: [1] }, lockedBy: null, lockToken: null, lockedUntil: null, updatedAt: AT },
  $push: { history: { $each: [{ from: 'processing', to: 'completed', at: AT, by: 'w1' }], $slice: -100 } },
};

const CASES: Case[] = [
  // $set
  { name: '$set changes a field in place', u: { $set: { a: 2 } }, route: 'fast' },
  { name: '$set of the same value is a no-op', u: { $set: { a: 1, s: 'x', n: null, t: true } }, route: 'fast' },
  { name: '$set of an equal Date is a no-op', u: { $set: { d: new Date(AT.getTime()) } }, route: 'fast' },
  { name: '$set of another Date', u: { $set: { d: new Date(5) } }, route: 'fast' },
  { name: '$set of an equal ObjectId is a no-op', u: { $set: { oid: ObjectId.createFromHexString(OID.toHexString()) } }, route: 'fast' },
  { name: '$set of equal arrays and documents is a no-op', u: { $set: { arr: [1, 2, 3], o: { p: 1, q: { r: 2 } }, e: [] } }, route: 'fast' },
  { name: '$set of a reordered document is a no-op (mingo equality)', u: { $set: { o: { q: { r: 2 }, p: 1 } } }, route: 'fast' },
  { name: '$set of a changed array', u: { $set: { arr: [3] } }, route: 'fast' },
  { name: '$set of null over a value', u: { $set: { a: null } }, route: 'fast' },
  { name: '$set of a value over null', u: { $set: { n: 0 } }, route: 'fast' },
  { name: '$set of 1 over 1.5 and of a Long', u: { $set: { f: 1, l: Long.fromString('9007199254740993') } }, route: 'fast' },
  { name: '$set appends new fields in field-name order', u: { $set: { zz: 1, b: 2, m: { y: 1, x: 2 }, B: 3, 'a_': 4 } }, route: 'fast' },
  { name: '$set of a dotted existing path', u: { $set: { 'o.p': 5 } }, route: 'fast' },
  { name: '$set of an equal dotted value is a no-op', u: { $set: { 'o.q.r': 2 } }, route: 'fast' },
  { name: '$set adds a field to an embedded document', u: { $set: { 'o.x': 1, 'o.q.s': 3 } }, route: 'fast' },
  { name: '$set creates intermediate documents in order', u: { $set: { 'new.deep.path': 1, 'new.a': 2, 'new.deep.b': [] } }, route: 'fast' },
  { name: '$set with non-ASCII field names orders by UTF-8 bytes', u: { $set: { 'é': 1, z: 2, '\u{1F600}': 3, '\uFF21': 4 } }, route: 'fast' },
  { name: '$set through a scalar is 28', u: { $set: { 'a.b': 1 } }, route: 'fallback' },
  { name: '$set through null is 28', u: { $set: { 'n.b': 1 } }, route: 'fallback' },
  { name: '$set through a Date is 28', u: { $set: { 'd.b': 1 } }, route: 'fallback' },
  { name: '$set through an array is 28', u: { $set: { 'arr.b': 1 } }, route: 'fallback' },
  { name: '$set through an array of documents', doc: () => deepFreeze({ _id: 1, xs: [{ k: 1 }, { k: 2 }] }), u: { $set: { 'xs.k': 1 } }, route: 'fallback' },
  { name: '$set of an array index', u: { $set: { 'arr.1': 9 } }, route: 'declined' },
  { name: '$set of a numeric field name in a document', u: { $set: { 'o.7': 9 } }, route: 'declined' },
  { name: '$set with the positional $', u: { $set: { 'arr.$': 9 } }, route: 'declined', ctx: { condition: { arr: 2 } } },
  { name: '$set of _id to itself', u: { $set: { _id: 1, a: 2 } }, route: 'declined' },
  { name: '$set of another _id is 66', u: { $set: { _id: 2 } }, route: 'declined' },
  { name: '$set of a field named like an Object method', u: { $set: { constructor: 1 } }, route: 'declined' },
  // $unset
  { name: '$unset removes a field', u: { $unset: { a: '' } }, route: 'fast' },
  { name: '$unset of a missing field is a no-op', u: { $unset: { zz: '' } }, route: 'fast' },
  { name: '$unset of a dotted path', u: { $unset: { 'o.q.r': 1 } }, route: 'fast' },
  { name: '$unset under a missing document is a no-op', u: { $unset: { 'x.y': 1 } }, route: 'fast' },
  { name: '$unset under null is a no-op', u: { $unset: { 'n.y': 1 } }, route: 'fast' },
  { name: '$unset under a scalar', u: { $unset: { 'a.y': 1 } }, route: 'fallback' },
  { name: '$unset under an array', u: { $unset: { 'arr.y': 1 } }, route: 'fallback' },
  { name: '$unset of null and of an array', u: { $unset: { n: 1, arr: 1 } }, route: 'fast' },
  // $inc
  { name: '$inc adds', u: { $inc: { a: 2, f: -0.5 } }, route: 'fast' },
  { name: '$inc by 0 is a no-op', u: { $inc: { a: 0 } }, route: 'fast' },
  { name: '$inc of a missing field sets it', u: { $inc: { zz: 3, yy: 0 } }, route: 'fast' },
  { name: '$inc of a missing dotted field creates documents', u: { $inc: { 'o.count': 1, 'x.y.z': -1 } }, route: 'fast' },
  { name: '$inc by Infinity', u: { $inc: { a: Infinity } }, route: 'fast' },
  { name: '$inc of a string is 14', u: { $inc: { s: 1 } }, route: 'fallback' },
  { name: '$inc of null is 14', u: { $inc: { n: 1 } }, route: 'fallback' },
  { name: '$inc of an array is 14', u: { $inc: { arr: 1 } }, route: 'fallback' },
  { name: '$inc of a Date is 14', u: { $inc: { d: 1 } }, route: 'fallback' },
  { name: '$inc of a document is 14', u: { $inc: { o: 1 } }, route: 'fallback' },
  { name: '$inc of a Long', doc: () => deepFreeze({ _id: 1, l: Long.fromNumber(5) }), u: { $inc: { l: 1 } }, route: 'fallback' },
  { name: '$inc of NaN', doc: () => deepFreeze({ _id: 1, v: Number.NaN }), u: { $inc: { v: 1 } }, route: 'fallback' },
  { name: '$inc by a string is 14', u: { $inc: { a: 'x' } }, route: 'declined' },
  { name: '$inc by NaN', u: { $inc: { a: Number.NaN } }, route: 'declined' },
  { name: '$inc by a Long', u: { $inc: { a: Long.fromNumber(2) } }, route: 'declined' },
  // $push
  { name: '$push appends a value', u: { $push: { arr: 4 } }, route: 'fast' },
  { name: '$push of a document, a Date and an ObjectId', u: { $push: { arr: { k: 1 }, e: AT, history: OID } }, route: 'fast' },
  { name: '$push of an array appends it as one element', u: { $push: { arr: [7, 8] } }, route: 'fast' },
  { name: '$push to a missing field creates the array', u: { $push: { zz: 1 } }, route: 'fast' },
  { name: '$push to a missing dotted field', u: { $push: { 'o.list': { $each: [1, 2] }, 'x.y': 'v' } }, route: 'fast' },
  { name: '$push $each appends several', u: { $push: { arr: { $each: [4, 5] } } }, route: 'fast' },
  { name: '$push $each [] is a no-op', u: { $push: { arr: { $each: [] } } }, route: 'fast' },
  { name: '$push $each [] to a missing field creates []', u: { $push: { zz: { $each: [] } } }, route: 'fast' },
  { name: '$push $slice negative drops from the front', u: { $push: { arr: { $each: [4, 5], $slice: -2 } } }, route: 'fast' },
  { name: '$push $slice positive keeps the front', u: { $push: { arr: { $slice: 4, $each: [4, 5] } } }, route: 'fast' },
  { name: '$push $slice 0 empties', u: { $push: { arr: { $each: [4], $slice: 0 } } }, route: 'fast' },
  { name: '$push $slice larger than the array', u: { $push: { arr: { $each: [4], $slice: -100 } } }, route: 'fast' },
  { name: '$push $each [] with a trimming $slice', u: { $push: { arr: { $each: [], $slice: 1 } } }, route: 'fast' },
  { name: '$push $slice to a missing field slices too', u: { $push: { zz: { $each: [1, 2, 3], $slice: -2 }, yy: { $each: [1, 2, 3], $slice: 0 } } }, route: 'fast' },
  { name: '$push onto a string is 2', u: { $push: { s: 1 } }, route: 'fallback' },
  { name: '$push onto null is 2', u: { $push: { n: 1 } }, route: 'fallback' },
  { name: '$push onto a document is 2', u: { $push: { o: { $each: [1] } } }, route: 'fallback' },
  { name: '$push with $position', u: { $push: { arr: { $each: [0], $position: 0 } } }, route: 'declined' },
  { name: '$push with $sort', u: { $push: { arr: { $each: [0], $sort: 1, $slice: 2 } } }, route: 'declined' },
  { name: '$push with $sort to a missing field', u: { $push: { zz: { $each: [3, 1, 2], $sort: 1, $slice: 2 } } }, route: 'declined' },
  { name: '$push with a non-integer $slice', u: { $push: { arr: { $each: [0], $slice: 1.5 } } }, route: 'declined' },
  { name: '$push with $each not an array', u: { $push: { arr: { $each: 1 } } }, route: 'declined' },
  { name: '$push with $slice but no $each', u: { $push: { arr: { $slice: 1 } } }, route: 'declined' },
  { name: '$push with an unknown modifier', u: { $push: { arr: { $each: [1], $foo: 1 } } }, route: 'declined' },
  // Several operators
  { name: 'new fields of all operators in one field-name order', u: { $set: { zeta: 1 }, $inc: { alpha: 1 }, $push: { mid: 1 }, $unset: { a: 1 } }, route: 'fast' },
  { name: 'operators meeting in one new document', u: { $set: { 'x.b': 1 }, $inc: { 'x.a': 1 }, $push: { 'x.c.d': 1 } }, route: 'fast' },
  { name: 'one failing path fails the whole update', u: { $set: { b: 1 }, $inc: { s: 1 } }, route: 'fallback' },
  { name: 'an unsupported operator sends all to mingo', u: { $set: { zz: 1, b: 1 }, $min: { m: 5 }, $push: { yy: { $each: [1, 2], $slice: -1 } } }, route: 'declined' },
  { name: 'the claim of a pending job', doc: job, u: claim, route: 'fast' },
  { name: 'the completion of a job', doc: job, u: complete, route: 'fast' },
  { name: 'the claim of a job without history', doc: () => deepFreeze({ _id: 2, jobId: 'j2', status: 'pending' }), u: claim, route: 'fast' },
  { name: 'a release with $inc -1 and $unset', doc: job, u: { $set: { status: 'pending' }, $inc: { attempts: -1 }, $unset: { lockedBy: '', data: '' } }, route: 'fast' },
  // Upserts: $setOnInsert merges into $set
  { name: '$setOnInsert on insert', doc: () => deepFreeze({ k: 'x' }), u: { $set: { b: 1 }, $setOnInsert: { a: 1, 'c.d': 2 } }, route: 'fast', ctx: { isInsert: true } },
  { name: '$setOnInsert of _id on insert', doc: () => deepFreeze({ k: 'x' }), u: { $setOnInsert: { _id: 5, z: 1 } }, route: 'declined', ctx: { isInsert: true } },
];

/**
 * Where mingo's $push counts differ from mongod's (PushNode::performPush: modified when it
 * pushed something or $slice removed something), the fast path follows mongod.
 */
const MONGOD_PUSH_COUNTS: Array<{ name: string; u: Doc; mongod: 'unchanged' | 'modified'; mingo: 'unchanged' | 'modified' }> = [
  { name: 'a $slice that removes nothing', u: { $push: { arr: { $each: [], $slice: -5 } } }, mongod: 'unchanged', mingo: 'modified' },
  { name: 'a push whose element $slice drops again', u: { $push: { arr: { $each: [9], $slice: 3 } } }, mongod: 'modified', mingo: 'unchanged' },
];

function operators(u: Doc): Record<string, Doc> {
  const parsed = parseUpdate(u);
  if (parsed.kind !== 'operators') throw new Error('not an operator update');
  return parsed.ops;
}

describe('fast update path', () => {
  it.each(CASES.map((c) => [c.name, c]))('%s', (_name, c) => {
    const doc = (c.doc ?? base)();
    const parsed = parseUpdate(c.u);
    const ctx = c.ctx ?? {};
    const viaMingo = outcome(() => applyUpdateWithMingo(doc, parsed, ctx));
    const auto = outcome(() => applyUpdate(doc, parsed, ctx));
    expect(auto).toEqual(viaMingo);

    const ops = ctx.isInsert ? { ...operators(c.u), $set: { ...(c.u.$set as Doc), ...(c.u.$setOnInsert as Doc) } } : operators(c.u);
    const plan = compileFastUpdate(ops);
    const route: Route = !plan ? 'declined' : applyFastUpdate(doc, plan) === FALLBACK ? 'fallback' : 'fast';
    expect(route).toBe(c.route);
  });

  it.each(MONGOD_PUSH_COUNTS.map((c) => [c.name, c]))('counts %s as mongod does', (_name, c) => {
    const doc = base();
    const parsed = parseUpdate(c.u);
    const count = (out: Doc | undefined): string => (out === undefined ? 'unchanged' : 'modified');
    const fast = applyUpdate(doc, parsed);
    expect(count(fast)).toBe(c.mongod);
    expect(count(applyUpdateWithMingo(doc, parsed))).toBe(c.mingo);
    // Either way the array itself is what mongod leaves.
    expect(fast?.arr ?? doc.arr).toEqual(doc.arr);
  });

  it('copies only the written paths and shares the rest with the stored version', () => {
    const doc = job();
    const next = applyUpdate(doc, parseUpdate({ $set: { 'data.to': 'z@y.x', status: 'processing' } }));
    expect(next).toBeDefined();
    expect(next).not.toBe(doc);
    expect(next?.data).not.toBe(doc.data);
    expect((next?.data as Doc).tags).toBe((doc.data as Doc).tags);
    expect(next?.history).toBe(doc.history);
    expect(doc.status).toBe('pending');
  });

  it('the mingo path also appends created fields in field-name order', () => {
    const out = applyUpdateWithMingo(base(), parseUpdate({ $set: { zz: 1, 'n2.b': 1 }, $min: { b: 1 }, $inc: { 'n2.a': 1 } }));
    expect(Object.keys(out ?? {}).slice(-3)).toEqual(['b', 'n2', 'zz']);
    expect(Object.keys(out?.n2 as Doc)).toEqual(['a', 'b']);
  });

  it('keeps counts and indexes right through the collection', () => {
    const { coll } = freshCollection();
    coll.createIndexes([
      { key: { jobId: 1 }, name: 'jobId', unique: true },
      { key: { queue: 1, status: 1, priority: -1 }, name: 'claim' },
      { key: { lockedUntil: 1 }, name: 'lease', partialFilterExpression: { status: 'processing' } },
    ]);
    coll.insertMany(Array.from({ length: 6 }, (_, i) => ({ jobId: `j${i}`, queue: 'q', status: 'pending', priority: i % 2, attempts: 0 })), true);
    const ids = ['j0', 'j1', 'j2'];
    expect(coll.update({ q: { jobId: { $in: ids }, status: 'pending' }, u: claim, multi: true })).toEqual({ matched: 3, modified: 3 });
    expect(coll.update({ q: { jobId: { $in: ids }, status: 'pending' }, u: claim, multi: true })).toEqual({ matched: 0, modified: 0 });
    expect(coll.update({ q: { jobId: 'j0' }, u: { $set: { status: 'processing' } } })).toEqual({ matched: 1, modified: 0 });
    expect(coll.find({ filter: { queue: 'q', status: 'processing' }, hint: 'claim' }).map((d) => d.jobId)).toEqual(['j0', 'j1', 'j2']);
    expect(coll.find({ filter: { queue: 'q', status: 'pending' }, hint: 'claim' }).map((d) => d.jobId)).toEqual(['j3', 'j4', 'j5']);
    expect(coll.find({ filter: {}, hint: 'lease' }).map((d) => d.jobId)).toEqual(['j0', 'j1', 'j2']);
    // A write outside every index leaves them as they are; one into the partial filter's field moves the document.
    coll.update({ q: { jobId: 'j1' }, u: { $set: { 'data.x': 1 }, $inc: { attempts: 5 } } });
    coll.update({ q: { jobId: 'j2' }, u: complete });
    expect(coll.find({ filter: {}, hint: 'lease' }).map((d) => d.jobId)).toEqual(['j0', 'j1']);
    expect(coll.find({ filter: { jobId: 'j1' }, hint: 'jobId' })[0]).toMatchObject({ attempts: 6, data: { x: 1 } });
    expect(coll.find({ filter: { queue: 'q', status: 'completed' }, hint: 'claim' }).map((d) => d.jobId)).toEqual(['j2']);
  });
});

describe('index maintenance after updates', () => {
  it('recomputes every index a written path can reach', () => {
    const { coll } = freshCollection();
    coll.createIndexes([
      { key: { tags: 1 }, name: 'tags' },
      { key: { 'a.b': 1 }, name: 'ab' },
      { key: { 'items.v': 1 }, name: 'iv' },
      { key: { k: 1 }, name: 'k', partialFilterExpression: { $or: [{ 'flag.on': true }, { n: { $gt: 5 } }] } },
    ]);
    coll.insertMany([{ _id: 1, k: 1, tags: ['x', 'y'], x: { b: 7 }, items: [{ v: 1 }, { v: 2 }], flag: { on: false }, n: 0 }], true);
    const hinted = (hint: string, filter: Doc): unknown[] => coll.find({ filter, hint }).map((d) => d._id);
    coll.update({ q: { _id: 1 }, u: { $set: { 'tags.1': 'z' } } });
    expect([hinted('tags', { tags: 'z' }), hinted('tags', { tags: 'y' })]).toEqual([[1], []]);
    coll.update({ q: { _id: 1 }, u: { $rename: { x: 'a' } } });
    expect(hinted('ab', { 'a.b': 7 })).toEqual([1]);
    coll.update({ q: { _id: 1, 'items.v': 2 }, u: { $set: { 'items.$.v': 5 } } });
    expect([hinted('iv', { 'items.v': 5 }), hinted('iv', { 'items.v': 2 })]).toEqual([[1], []]);
    expect(hinted('k', {})).toEqual([]);
    coll.update({ q: { _id: 1 }, u: { $set: { flag: { on: true } } } });
    expect(hinted('k', {})).toEqual([1]);
    coll.update({ q: { _id: 1 }, u: { $unset: { 'flag.on': 1 }, $inc: { n: 10 } } });
    expect(hinted('k', {})).toEqual([1]);
    coll.update({ q: { _id: 1 }, u: { $inc: { n: -10 } } });
    expect(hinted('k', {})).toEqual([]);
  });
});

describe('equality filters without mingo', () => {
  const docs: Doc[] = [
    { a: 'x', b: 1 }, { a: 'y', b: 2 }, { a: 1, b: '1' }, { a: true }, { a: null }, {}, { a: ['x', 'z'] }, { a: [] },
    { a: { x: 1 } }, { a: AT }, { a: 0 }, { a: -0 }, { a: Number.NaN }, { a: Long.fromNumber(1) }, { a: OID },
    { o: { p: 'x' } }, { o: { p: ['x'] } }, { o: [{ p: 'x' }] }, { o: null }, { o: 'str' }, { o: { p: null } },
  ];
  const filters: Doc[] = [
    { a: 'x' }, { a: 1 }, { a: true }, { a: 0 }, { a: { $eq: 'y' } }, { a: { $in: ['x', 1, true] } }, { a: { $in: [0] } },
    { a: { $in: [] } }, { a: 'x', b: 1 }, { 'o.p': 'x' }, { 'o.p': { $in: ['x', 'y'] } }, { a: -0 },
  ];

  it.each(filters.map((f) => [JSON.stringify(f), f]))('%s matches what mingo matches', (_name, filter) => {
    const query = new Query(filter, BASE_OPTIONS);
    const tester = compileEqualityFilter(filter, () => query);
    expect(tester).toBeDefined();
    for (const doc of docs) expect([doc, tester?.test(doc)]).toEqual([doc, query.test(doc)]);
  });

  it('leaves other filters to mingo', () => {
    for (const filter of [{ a: null }, { a: { $gt: 1 } }, { a: /x/ }, { a: AT }, { a: { $in: [null] } }, { $or: [{ a: 1 }] }, { a: { $eq: 1, $ne: 2 } }, { a: Number.NaN }]) {
      expect(compileEqualityFilter(filter, () => ({ test: () => true }))).toBeUndefined();
    }
  });
});
