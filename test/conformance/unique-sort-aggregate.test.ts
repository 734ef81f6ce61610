import { Binary, ObjectId } from 'mongodb';
import { codeOf, openConformanceDb, suiteName, type ConformanceDb } from './support/conformance-db';

describe(suiteName('unique indexes, sort order and aggregation'), () => {
  let c: ConformanceDb;
  beforeAll(async () => {
    c = await openConformanceDb('conf_unique');
  });
  afterAll(() => c.close());

  it('enforces a unique index on insert, update, upsert and findAndModify with 11000, keyPattern and keyValue', async () => {
    const coll = c.db.collection('uniq');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertMany([{ email: 'a@x' }, { email: 'b@x' }]);
    const error = await coll.insertOne({ email: 'a@x' }).catch((e: { code: number; keyPattern: unknown; keyValue: unknown }) => e);
    expect(error).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a@x' } });
    expect(await codeOf(coll.updateOne({ email: 'b@x' }, { $set: { email: 'a@x' } }))).toBe(11000);
    expect(await coll.countDocuments({ email: 'b@x' })).toBe(1);
    expect(await codeOf(coll.updateOne({ email: 'c@x', other: 1 }, { $set: { email: 'a@x' } }, { upsert: true }))).toBe(11000);
    expect(await codeOf(coll.findOneAndUpdate({ email: 'b@x' }, { $set: { email: 'a@x' } }))).toBe(11000);
    expect(await codeOf(coll.replaceOne({ email: 'b@x' }, { email: 'a@x' }))).toBe(11000);
    expect(await coll.countDocuments()).toBe(2);
  });

  it('indexes a missing field as null (one document may lack it) unless sparse', async () => {
    const plain = c.db.collection('nulls');
    await plain.createIndex({ code: 1 }, { unique: true });
    await plain.insertOne({ name: 'no code' });
    expect(await codeOf(plain.insertOne({ name: 'no code either' }))).toBe(11000);
    const sparse = c.db.collection('sparse');
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ name: 'a' }, { name: 'b' }, { code: 1 }]);
    expect(await codeOf(sparse.insertOne({ code: 1 }))).toBe(11000);
  });

  it('enforces compound and partial unique indexes only where they apply', async () => {
    const coll = c.db.collection('partial');
    await coll.createIndex({ key: 1 }, { unique: true, partialFilterExpression: { status: { $in: ['queued', 'running'] } } });
    await coll.createIndex({ tenant: 1, slug: 1 }, { unique: true });
    await coll.insertMany([{ key: 'k', status: 'done', tenant: 1, slug: 'a' }, { key: 'k', status: 'done', tenant: 1, slug: 'b' }, { key: 'k', status: 'queued', tenant: 2, slug: 'a' }]);
    expect(await codeOf(coll.insertOne({ key: 'k', status: 'running', tenant: 3, slug: 'a' }))).toBe(11000);
    expect(await codeOf(coll.updateOne({ slug: 'b', tenant: 1 }, { $set: { status: 'queued' } }))).toBe(11000);
    expect(await codeOf(coll.insertOne({ key: 'z', tenant: 1, slug: 'a' }))).toBe(11000);
    await coll.insertOne({ key: 'z', tenant: 1, slug: 'c' });
  });

  it('refuses to build a unique index over duplicates', async () => {
    const coll = c.db.collection('dupes');
    await coll.insertMany([{ v: 1 }, { v: 1 }]);
    expect(await codeOf(coll.createIndex({ v: 1 }, { unique: true }))).toBe(11000);
  });

  it('sorts across types in BSON order and breaks ties by an _id tie-breaker', async () => {
    const coll = c.db.collection('typesort');
    const oid = new ObjectId('000000000000000000000001');
    await coll.insertMany([
      { t: 'date', v: new Date(0) },
      { t: 'bool', v: true },
      { t: 'oid', v: oid },
      { t: 'string', v: 'abc' },
      { t: 'number', v: 5 },
      { t: 'null', v: null },
      { t: 'object', v: { a: 1 } },
      { t: 'binary', v: new Binary(Buffer.from([1])) },
      { t: 'missing' },
      { t: 'number', v: -2.5 },
    ]);
    const ascending = (await coll.find({}, { projection: { _id: 0, t: 1 } }).sort({ v: 1, _id: 1 }).toArray()).map((d) => d.t);
    expect(ascending).toEqual(['null', 'missing', 'number', 'number', 'string', 'object', 'binary', 'oid', 'bool', 'date']);
    const ties = c.db.collection('ties');
    await ties.insertMany(Array.from({ length: 20 }, (_, i) => ({ p: i % 2, i })));
    const order = (await ties.find().sort({ p: -1, _id: 1 }).toArray()).map((d) => d.i);
    expect(order).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  it('aggregates with $match $group $sort $limit $skip $project $facet $count $unwind $addFields $lookup', async () => {
    const orders = c.db.collection('orders');
    const customers = c.db.collection('customers');
    await customers.insertMany([{ _id: 'c1' as never, name: 'Ada' }, { _id: 'c2' as never, name: 'Bob' }]);
    await orders.insertMany([
      { customer: 'c1', total: 10, items: ['a', 'b'] },
      { customer: 'c1', total: 30, items: ['c'] },
      { customer: 'c2', total: 5, items: [] },
      { customer: 'c2', total: 50, items: ['a'] },
    ]);
    const grouped = await orders
      .aggregate([
        { $match: { total: { $gte: 5 } } },
        { $group: { _id: '$customer', sum: { $sum: '$total' }, n: { $sum: 1 } } },
        { $addFields: { avg: { $divide: ['$sum', '$n'] } } },
        { $sort: { sum: -1 } },
        { $lookup: { from: 'customers', localField: '_id', foreignField: '_id', as: 'who' } },
        { $project: { _id: 0, customer: '$_id', sum: 1, avg: 1, name: { $first: '$who.name' } } },
      ])
      .toArray();
    expect(grouped).toEqual([
      { sum: 55, avg: 27.5, customer: 'c2', name: 'Bob' },
      { sum: 40, avg: 20, customer: 'c1', name: 'Ada' },
    ]);
    const [facets] = await orders
      .aggregate([
        { $facet: { count: [{ $count: 'n' }], items: [{ $unwind: '$items' }, { $group: { _id: '$items', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }, { $skip: 1 }, { $limit: 2 }] } },
      ])
      .toArray();
    expect(facets).toEqual({ count: [{ n: 4 }], items: [{ _id: 'b', n: 1 }, { _id: 'c', n: 1 }] });
  });

  it('answers $changeStream on a standalone with 40573', async () => {
    const hello = await c.db.admin().command({ hello: 1 });
    if (hello.setName) return;
    expect(await codeOf(c.db.collection('orders').aggregate([{ $changeStream: {} }]).toArray())).toBe(40573);
  });
});
