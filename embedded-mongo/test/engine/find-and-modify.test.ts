import { codeOf, freshCollection } from './helpers';

describe('findAndModify', () => {
  function queue() {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { queue: 1, status: 1, priority: -1, _id: 1 }, name: 'claim' }]);
    coll.insertMany([
      { _id: 1, queue: 'q', status: 'pending', priority: 1 },
      { _id: 2, queue: 'q', status: 'pending', priority: 5 },
      { _id: 3, queue: 'q', status: 'pending', priority: 5 },
      { _id: 4, queue: 'other', status: 'pending', priority: 9 },
    ], true);
    return coll;
  }
  const claim = {
    query: { queue: 'q', status: 'pending' }, sort: { priority: -1 as const, _id: 1 as const },
    update: { $set: { status: 'processing' }, $inc: { attempts: 1 } },
  };

  it('claims by sort order, returning pre- or post-image', () => {
    const coll = queue();
    expect(coll.findAndModify(claim)).toEqual({
      value: { _id: 2, queue: 'q', status: 'pending', priority: 5 }, lastErrorObject: { n: 1, updatedExisting: true },
    });
    expect(coll.findAndModify({ ...claim, new: true }).value).toEqual({ _id: 3, queue: 'q', status: 'processing', priority: 5, attempts: 1 });
    expect(coll.findAndModify({ ...claim, fields: { priority: 1 } }).value).toEqual({ _id: 1, priority: 1 });
    expect(coll.findAndModify(claim)).toEqual({ value: null, lastErrorObject: { n: 0, updatedExisting: false } });
    expect(coll.count({ status: 'processing' })).toBe(3);
  });

  it('removes atomically and upserts', () => {
    const coll = queue();
    expect(coll.findAndModify({ query: { queue: 'q' }, sort: { priority: 1 }, remove: true })).toEqual({
      value: { _id: 1, queue: 'q', status: 'pending', priority: 1 }, lastErrorObject: { n: 1 },
    });
    expect(coll.findAndModify({ query: { queue: 'zzz' }, remove: true })).toEqual({ value: null, lastErrorObject: { n: 0 } });
    const up = coll.findAndModify({ query: { _id: 10, queue: 'new' }, update: { $set: { s: 1 }, $setOnInsert: { c: 1 } }, upsert: true, new: true });
    expect(up).toEqual({ value: { _id: 10, queue: 'new', s: 1, c: 1 }, lastErrorObject: { n: 1, updatedExisting: false, upserted: 10 } });
    const upOld = coll.findAndModify({ query: { _id: 11 }, update: { $set: { s: 1 } }, upsert: true });
    expect(upOld.value).toBeNull();
    expect(upOld.lastErrorObject.upserted).toBe(11);
  });

  it('supports replacement, arrayFilters and rejects bad option mixes', () => {
    const coll = queue();
    expect(coll.findAndModify({ query: { _id: 1 }, update: { only: true }, new: true }).value).toEqual({ _id: 1, only: true });
    coll.insertMany([{ _id: 20, a: [{ x: 1 }, { x: 2 }] }], true);
    const r = coll.findAndModify({ query: { _id: 20 }, update: { $set: { 'a.$[e].y': 1 } }, arrayFilters: [{ 'e.x': 2 }], new: true });
    expect(r.value).toEqual({ _id: 20, a: [{ x: 1 }, { x: 2, y: 1 }] });
    expect(codeOf(() => coll.findAndModify({ query: {}, remove: true, new: true }))).toBe(9);
    expect(codeOf(() => coll.findAndModify({ query: {} }))).toBe(9);
  });

  it('at scale still claims the right document through the index', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { status: 1, runAt: 1 }, name: 'sr' }]);
    const docs = [];
    for (let i = 0; i < 5000; i++) docs.push({ _id: i, status: i % 2 ? 'scheduled' : 'done', runAt: new Date(10_000 - i) });
    coll.insertMany(docs, true);
    const r = coll.findAndModify({
      query: { status: 'scheduled', runAt: { $lte: new Date(9_000) } }, sort: { runAt: 1 }, update: { $set: { status: 'pending' } },
    });
    expect(r.value?._id).toBe(4999);
  });
});
