import { ObjectId } from 'bson';
import { codeOf, freshCollection } from './helpers';

describe('insert and find', () => {
  it('generates an ObjectId _id and stores it first', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ a: 1 }, { b: 2, _id: 'x' }], true);
    const docs = coll.find({});
    expect(docs[0]._id).toBeInstanceOf(ObjectId);
    expect(Object.keys(docs[0])[0]).toBe('_id');
    expect(Object.keys(docs[1])).toEqual(['_id', 'b']);
  });

  it('rejects duplicate _id with 11000, ordered stops and unordered continues', () => {
    const { coll } = freshCollection();
    const ordered = coll.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }], true);
    expect(ordered.inserted).toBe(1);
    expect(ordered.writeErrors.map((e) => [e.index, e.error.code])).toEqual([[1, 11000]]);
    expect(ordered.writeErrors[0].error.extra).toEqual({ keyPattern: { _id: 1 }, keyValue: { _id: 1 } });
    const unordered = coll.insertMany([{ _id: 1 }, { _id: 3 }], false);
    expect(unordered.inserted).toBe(1);
    expect(coll.estimatedCount()).toBe(2);
  });

  it('does not let callers mutate stored documents through inputs', () => {
    const { coll } = freshCollection();
    const input = { _id: 1, nested: { v: 1 } };
    coll.insertMany([input], true);
    input.nested.v = 99;
    expect(coll.find({})[0]).toEqual({ _id: 1, nested: { v: 1 } });
  });

  it('sorts in BSON order with ties in insertion order, then skips and limits', () => {
    const { coll } = freshCollection();
    coll.insertMany([
      { _id: 1, p: 2 }, { _id: 2, p: 'x' }, { _id: 3, p: null }, { _id: 4 }, { _id: 5, p: 2 }, { _id: 6, p: new Date(0) },
    ], true);
    expect(coll.find({ sort: { p: 1 } }).map((d) => d._id)).toEqual([3, 4, 1, 5, 2, 6]);
    expect(coll.find({ sort: { p: -1 } }).map((d) => d._id)).toEqual([6, 2, 1, 5, 3, 4]);
    expect(coll.find({ sort: { p: 1 }, skip: 1, limit: 2 }).map((d) => d._id)).toEqual([4, 1]);
  });

  it('sorts arrays by their smallest element ascending and largest descending', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, a: [5, 1] }, { _id: 2, a: 3 }, { _id: 3, a: [2, 9] }], true);
    expect(coll.find({ sort: { a: 1 } }).map((d) => d._id)).toEqual([1, 3, 2]);
    expect(coll.find({ sort: { a: -1 } }).map((d) => d._id)).toEqual([3, 1, 2]);
  });

  it('projects with _id first and supports exclusion', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, a: 1, b: { c: 1, d: 2 } }], true);
    expect(Object.keys(coll.find({ projection: { a: 1 } })[0])).toEqual(['_id', 'a']);
    expect(coll.find({ projection: { 'b.c': 1, _id: 0 } })[0]).toEqual({ b: { c: 1 } });
    expect(coll.find({ projection: { b: 0 } })[0]).toEqual({ _id: 1, a: 1 });
  });

  it('maps mingo errors and bad hints to code 2', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ a: 1 }], true);
    expect(codeOf(() => coll.find({ filter: { a: { $bogus: 1 } } }))).toBe(2);
    expect(codeOf(() => coll.find({ hint: 'nope_1' }))).toBe(2);
    expect(codeOf(() => coll.find({ hint: { nope: 1 } }))).toBe(2);
    expect(coll.find({ hint: '_id_' })).toHaveLength(1);
  });

  it('matches ObjectIds and Dates by value', () => {
    const { coll } = freshCollection();
    const id = new ObjectId();
    const when = new Date('2024-01-01T00:00:00.123Z');
    coll.insertMany([{ _id: id, when }], true);
    const [doc] = coll.find({ filter: { _id: new ObjectId(id.toHexString()), when: new Date(when.getTime()) } });
    expect(doc._id).toBe(id);
    expect((doc.when as Date).getTime()).toBe(when.getTime());
    expect(coll.find({ filter: { when: { $lt: 5 } } })).toHaveLength(0);
  });

  it('counts with skip/limit, distinct flattens arrays and dedupes by BSON equality', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ t: [1, 2] }, { t: 2 }, { t: 'x' }, { t: null }, {}], true);
    expect(coll.count({})).toBe(5);
    expect(coll.count({}, { skip: 1, limit: 2 })).toBe(2);
    expect(coll.count({ t: 2 })).toBe(2);
    expect(coll.distinct('t', {})).toEqual([null, 1, 2, 'x']);
  });

  it('deletes one in natural order or all matches', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, k: 1 }, { _id: 2, k: 1 }, { _id: 3, k: 2 }], true);
    coll.createIndexes([{ key: { k: 1 }, name: 'k_1' }]);
    expect(coll.delete({ k: 1 }, 1)).toBe(1);
    expect(coll.find({}).map((d) => d._id)).toEqual([2, 3]);
    expect(coll.delete({}, 0)).toBe(2);
    expect(coll.estimatedCount()).toBe(0);
  });
});

describe('compiled filter cache', () => {
  it('never confuses a Date or ObjectId with its string form', () => {
    const { coll } = freshCollection();
    const id = new ObjectId();
    coll.insertMany([{ _id: 1, at: new Date(0), ref: id }, { _id: 2, at: new Date(0).toISOString(), ref: id.toHexString() }], true);
    expect(coll.find({ filter: { at: new Date(0) } }).map((d) => d._id)).toEqual([1]);
    expect(coll.find({ filter: { at: new Date(0).toISOString() } }).map((d) => d._id)).toEqual([2]);
    expect(coll.find({ filter: { ref: id } }).map((d) => d._id)).toEqual([1]);
    expect(coll.find({ filter: { ref: id.toHexString() } }).map((d) => d._id)).toEqual([2]);
  });
});

describe('a field named __proto__ (legal in BSON)', () => {
  it('stays an own field through insert, read and copy, and never becomes a prototype', () => {
    const { coll } = freshCollection();
    const input = JSON.parse('{"a": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    coll.insertMany([input], true);
    const [doc] = coll.find({ filter: { a: 1 } });
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.keys(doc)).toEqual(['_id', 'a', '__proto__']);
    expect((doc as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toEqual({ polluted: true });
  });
});
