import { ObjectId } from 'bson';
import { codeOf, freshCollection } from './helpers';

describe('update', () => {
  it('applies operators, counts only real modifications and keeps the old object intact', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, n: 1, s: 'a' }, { _id: 2, n: 1, s: 'b' }], true);
    const before = coll.find({ filter: { _id: 1 } })[0];
    expect(coll.update({ q: {}, u: { $set: { s: 'a' } }, multi: true })).toEqual({ matched: 2, modified: 1 });
    expect(coll.update({ q: { _id: 1 }, u: { $inc: { n: 2 }, $set: { t: true } } })).toEqual({ matched: 1, modified: 1 });
    expect(coll.update({ q: { _id: 1 }, u: { $inc: { n: 0 } } })).toEqual({ matched: 1, modified: 0 });
    expect(before).toEqual({ _id: 1, n: 1, s: 'a' });
    expect(coll.find({ filter: { _id: 1 } })[0]).toEqual({ _id: 1, n: 3, s: 'a', t: true });
  });

  it('raises the errors mingo ignores and leaves the document untouched', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, s: 'x', a: 5, arr: [1] }], true);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $inc: { s: 1 } } }))).toBe(14);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $mul: { s: 2 } } }))).toBe(14);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $inc: { a: 'x' } } }))).toBe(14);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $push: { s: 1 } } }))).toBe(2);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $addToSet: { a: 1 } } }))).toBe(2);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $set: { 'a.b': 1 } } }))).toBe(28);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $set: { a: 1 }, $inc: { a: 1 } } }))).toBe(40);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $set: { a: 1, 'a.b': 1 } } }))).toBe(40);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $set: { _id: 2 } } }))).toBe(66);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { _id: 2, x: 1 } }))).toBe(66);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $foo: { a: 1 } } }))).toBe(9);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $set: 5 } as never }))).toBe(9);
    expect(coll.find({})[0]).toEqual({ _id: 1, s: 'x', a: 5, arr: [1] });
    expect(coll.update({ q: { _id: 1 }, u: { $set: { _id: 1, a: 6 } } })).toEqual({ matched: 1, modified: 1 });
  });

  it('replaces documents keeping _id first', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, a: 1 }], true);
    expect(coll.update({ q: { _id: 1 }, u: { b: 2 } })).toEqual({ matched: 1, modified: 1 });
    expect(coll.find({})[0]).toEqual({ _id: 1, b: 2 });
    expect(coll.update({ q: { _id: 1 }, u: { b: 2 } })).toEqual({ matched: 1, modified: 0 });
    expect(codeOf(() => coll.update({ q: {}, u: { b: 3 }, multi: true }))).toBe(9);
  });

  it('upserts from equality predicates, $and, _id and $setOnInsert', () => {
    const { coll } = freshCollection();
    const out = coll.update({
      q: { $and: [{ queue: 'q' }, { 'meta.kind': { $eq: 'k' } }], n: { $gt: 1 }, name: /x/ },
      u: { $set: { s: 1 }, $setOnInsert: { createdAt: 'now' }, $inc: { c: 1 } },
      upsert: true,
    });
    expect(out.matched).toBe(0);
    expect(out.upsertedId).toBeInstanceOf(ObjectId);
    const [doc] = coll.find({});
    expect(doc).toEqual({ _id: out.upsertedId, queue: 'q', meta: { kind: 'k' }, s: 1, c: 1, createdAt: 'now' });
    expect(Object.keys(doc)[0]).toBe('_id');
    // A match ignores $setOnInsert.
    expect(coll.update({ q: { queue: 'q' }, u: { $set: { s: 2 }, $setOnInsert: { createdAt: 'later' } }, upsert: true }))
      .toEqual({ matched: 1, modified: 1 });
    expect(coll.find({})[0].createdAt).toBe('now');
  });

  it('upserts with the query _id, replacement documents and $setOnInsert of _id', () => {
    const { coll } = freshCollection();
    expect(coll.update({ q: { _id: 7, a: 1 }, u: { $set: { b: 1 } }, upsert: true }).upsertedId).toBe(7);
    expect(coll.update({ q: { _id: 8, a: 1 }, u: { z: 1 }, upsert: true }).upsertedId).toBe(8);
    expect(coll.update({ q: { k: 'x' }, u: { $setOnInsert: { _id: 'given' } }, upsert: true }).upsertedId).toBe('given');
    expect(coll.find({})).toEqual([{ _id: 7, a: 1, b: 1 }, { _id: 8, z: 1 }, { _id: 'given', k: 'x' }]);
  });

  it('supports pipelines, arrayFilters, positional $ and $push modifiers', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, n: 2, items: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }], log: [1, 2] }], true);
    coll.update({ q: { _id: 1 }, u: [{ $set: { m: { $multiply: ['$n', 10] } } }, { $unset: 'n' }] });
    coll.update({ q: { _id: 1 }, u: { $set: { 'items.$[e].v': 9 } }, arrayFilters: [{ 'e.k': 'b' }] });
    coll.update({ q: { _id: 1, 'items.k': 'a' }, u: { $inc: { 'items.$.v': 100 } } });
    coll.update({ q: { _id: 1 }, u: { $push: { log: { $each: [5, 3], $sort: -1, $slice: 3 } } } });
    coll.update({ q: { _id: 1 }, u: { $push: { log: { $each: [0], $position: 0 } } } });
    expect(coll.find({})[0]).toEqual({
      _id: 1, items: [{ k: 'a', v: 101 }, { k: 'b', v: 9 }], log: [0, 5, 3, 2], m: 20,
    });
  });

  it('$pull, $addToSet, $unset, $rename, $min/$max, $currentDate', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ _id: 1, tags: ['a', 'b'], old: 1, lo: 5, hi: 5 }], true);
    coll.update({
      q: { _id: 1 },
      u: { $pull: { tags: 'a' }, $rename: { old: 'renamed' }, $min: { lo: 1 }, $max: { hi: 9 }, $currentDate: { at: true } },
    });
    coll.update({ q: { _id: 1 }, u: { $addToSet: { tags: { $each: ['b', 'c'] } }, $unset: { hi: '' } } });
    const [doc] = coll.find({});
    expect(doc).toMatchObject({ tags: ['b', 'c'], renamed: 1, lo: 1 });
    expect(doc.at).toBeInstanceOf(Date);
    expect('hi' in doc).toBe(false);
  });

  it('with multi, updates every match once', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { n: 1 }, name: 'n_1' }]);
    coll.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }], true);
    expect(coll.update({ q: { n: { $gte: 1 } }, u: { $inc: { n: 10 } }, multi: true })).toEqual({ matched: 3, modified: 3 });
    expect(coll.find({ sort: { n: 1 } }).map((d) => d.n)).toEqual([11, 12, 13]);
  });
});
