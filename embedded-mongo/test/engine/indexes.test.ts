import type { FindQuery } from '../../src/engine';
import { codeOf, freshCollection } from './helpers';

describe('index catalog', () => {
  it('lists _id_ first with generated names and ignores background', () => {
    const { coll } = freshCollection();
    const out = coll.createIndexes([{ key: { a: 1, b: -1 }, background: true } as never]);
    expect(out).toEqual({ numIndexesBefore: 1, numIndexesAfter: 2, createdCollectionAutomatically: true });
    expect(coll.listIndexes()).toEqual([
      { key: { _id: 1 }, name: '_id_' },
      { key: { a: 1, b: -1 }, name: 'a_1_b_-1' },
    ]);
    expect(coll.createIndexes([{ key: { a: 1, b: -1 }, name: 'a_1_b_-1' }]).note).toBe('all indexes already exist');
  });

  it('rejects conflicting definitions with 85/86 and TTL on compound keys with 67', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { a: 1 }, name: 'a_1' }]);
    expect(codeOf(() => coll.createIndexes([{ key: { b: 1 }, name: 'a_1' }]))).toBe(86);
    expect(codeOf(() => coll.createIndexes([{ key: { a: 1 }, name: 'a_1', unique: true }]))).toBe(86);
    expect(codeOf(() => coll.createIndexes([{ key: { a: 1 }, name: 'other' }]))).toBe(85);
    expect(codeOf(() => coll.createIndexes([{ key: { a: 1, b: 1 }, name: 't', expireAfterSeconds: 5 }]))).toBe(67);
  });

  it('drops by name, list, key pattern and "*", 27 for unknown', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { a: 1 }, name: 'a_1' }, { key: { b: 1 }, name: 'b_1' }, { key: { c: 1 }, name: 'c_1' }]);
    expect(coll.dropIndexes('a_1')).toBe(4);
    expect(coll.dropIndexes({ b: 1 })).toBe(3);
    expect(codeOf(() => coll.dropIndexes('zzz'))).toBe(27);
    expect(codeOf(() => coll.dropIndexes({ zzz: 1 }))).toBe(27);
    expect(coll.dropIndexes('*')).toBe(2);
    expect(coll.listIndexes().map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('unique indexes', () => {
  it('treats a missing field as null unless sparse', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { k: 1 }, name: 'k_1', unique: true }]);
    expect(coll.insertMany([{ a: 1 }, { a: 2 }], true).writeErrors[0].error.code).toBe(11000);
    const sparse = freshCollection('s').coll;
    sparse.createIndexes([{ key: { k: 1 }, name: 'k_1', unique: true, sparse: true }]);
    expect(sparse.insertMany([{ a: 1 }, { a: 2 }, { k: 1 }], true).writeErrors).toEqual([]);
    expect(sparse.insertMany([{ k: 1 }], true).writeErrors[0].error.code).toBe(11000);
  });

  it('uses the tuple of a compound key and reports keyPattern/keyValue', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { a: 1, b: 1 }, name: 'ab', unique: true }]);
    coll.insertMany([{ a: 1, b: 1 }, { a: 1, b: 2 }], true);
    const [err] = coll.insertMany([{ a: 1, b: 2 }], true).writeErrors;
    expect(err.error.extra).toEqual({ keyPattern: { a: 1, b: 1 }, keyValue: { a: 1, b: 2 } });
    expect(err.error.message).toBe('E11000 duplicate key error collection: test.c index: ab dup key: { a: 1, b: 2 }');
  });

  it('applies partial indexes only to matching documents, on insert and update', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{
      key: { key: 1 }, name: 'active', unique: true,
      partialFilterExpression: { status: { $in: ['queued', 'running'] } },
    }]);
    coll.insertMany([{ _id: 1, key: 'k', status: 'done' }, { _id: 2, key: 'k', status: 'done' }, { _id: 3, key: 'k', status: 'queued' }], true);
    expect(codeOf(() => coll.update({ q: { _id: 1 }, u: { $set: { status: 'running' } } }))).toBe(11000);
    expect(coll.find({ filter: { _id: 1 } })[0].status).toBe('done');
  });

  it('is checked on update, replacement, upsert and findAndModify without side effects', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { k: 1 }, name: 'k_1', unique: true }]);
    coll.insertMany([{ _id: 1, k: 'a' }, { _id: 2, k: 'b' }], true);
    expect(codeOf(() => coll.update({ q: { _id: 2 }, u: { $set: { k: 'a' } } }))).toBe(11000);
    expect(codeOf(() => coll.update({ q: { _id: 2 }, u: { k: 'a' } }))).toBe(11000);
    expect(codeOf(() => coll.update({ q: { _id: 3 }, u: { $set: { k: 'a' } }, upsert: true }))).toBe(11000);
    expect(codeOf(() => coll.findAndModify({ query: { _id: 2 }, update: { $set: { k: 'a' } } }))).toBe(11000);
    expect(coll.find({})).toEqual([{ _id: 1, k: 'a' }, { _id: 2, k: 'b' }]);
    coll.update({ q: { _id: 1 }, u: { $set: { k: 'a' } } });
  });

  it('refuses to build over duplicate data and leaves no index behind', () => {
    const { coll } = freshCollection();
    coll.insertMany([{ k: 1 }, { k: 1 }], true);
    expect(codeOf(() => coll.createIndexes([{ key: { k: 1 }, name: 'k_1', unique: true }]))).toBe(11000);
    expect(coll.listIndexes()).toHaveLength(1);
  });

  it('treats each array element as a key in a multikey unique index', () => {
    const { coll } = freshCollection();
    coll.createIndexes([{ key: { tags: 1 }, name: 'tags_1', unique: true }]);
    expect(coll.insertMany([{ tags: ['a', 'b', 'a'] }, { tags: ['c', 'b'] }], true).writeErrors[0].error.code).toBe(11000);
  });
});

describe('query planner results equal a collection scan', () => {
  function rng(seed: number): () => number {
    let s = seed;
    return () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
  }

  it('for equality prefixes, $in, ranges, sorts and limits', () => {
    const rand = rng(42);
    const indexed = freshCollection('i').coll;
    const plain = freshCollection('p').coll;
    indexed.createIndexes([
      { key: { queue: 1, status: 1, priority: -1, _id: 1 }, name: 'claim' },
      { key: { status: 1, runAt: 1 }, name: 'sr' },
      { key: { tags: 1 }, name: 'tags' },
    ]);
    const statuses = ['pending', 'done', 'scheduled', null];
    const docs = [];
    for (let i = 0; i < 400; i++) {
      const doc: Record<string, unknown> = {
        _id: i, queue: rand() < 0.5 ? 'q' : 'r', priority: Math.floor(rand() * 5),
        runAt: rand() < 0.9 ? new Date(Math.floor(rand() * 100)) : 'not-a-date',
        tags: rand() < 0.5 ? ['a', 'b'] : 'a',
      };
      const s = statuses[Math.floor(rand() * statuses.length)];
      if (s !== null) doc.status = s;
      docs.push(doc);
    }
    indexed.insertMany(docs, true);
    plain.insertMany(docs, true);
    const queries: Array<FindQuery & { filter: Record<string, unknown> }> = [
      { filter: { queue: 'q', status: 'pending' }, sort: { priority: -1, _id: 1 }, limit: 3 },
      { filter: { queue: 'q', status: 'pending' }, sort: { priority: 1, _id: -1 }, limit: 5 },
      { filter: { queue: 'q', status: { $in: ['pending', 'done'] } }, sort: { priority: -1 } },
      { filter: { status: 'scheduled', runAt: { $lte: new Date(50) } }, sort: { runAt: 1 }, limit: 4 },
      { filter: { status: 'scheduled', runAt: { $gt: new Date(20), $lt: new Date(60) } }, sort: { runAt: -1 } },
      { filter: { status: null }, sort: { runAt: 1 } },
      { filter: { tags: 'b', priority: { $gte: 2 } } },
      { filter: { queue: 'r' }, skip: 3, limit: 4 },
      { filter: { $and: [{ queue: 'q' }, { status: 'done' }], priority: 3 } },
    ];
    for (const q of queries) {
      expect(indexed.find(q)).toEqual(plain.find(q));
      expect(indexed.count(q.filter)).toBe(plain.count(q.filter));
    }
  });
});
