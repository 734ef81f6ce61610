import { ObjectId } from 'mongodb';
import { Schema } from 'mongoose';
import { codeOf, openConformanceDb, suiteName, type ConformanceDb } from './support/conformance-db';

describe(suiteName('CRUD and cursors'), () => {
  let c: ConformanceDb;
  beforeAll(async () => {
    c = await openConformanceDb('conf_crud');
  });
  afterAll(() => c.close());

  it('inserts through mongoose and reads back exactly (Dates, ObjectIds, nested documents)', async () => {
    const Item = c.connection.model('Item', new Schema({ name: String, n: Number, at: Date, ref: Schema.Types.ObjectId, meta: { tags: [String], depth: { x: Number } } }, { timestamps: true }), 'items');
    const ref = new ObjectId();
    const at = new Date(1_700_000_000_123);
    const created = await Item.create({ name: 'first', n: 1, at, ref, meta: { tags: ['a', 'b'], depth: { x: 2.5 } } });
    const found = await Item.findById(created._id).lean();
    expect(found).toMatchObject({ name: 'first', n: 1, at, meta: { tags: ['a', 'b'], depth: { x: 2.5 } } });
    expect(String(found?.ref)).toBe(String(ref));
    expect(found?.at?.getTime()).toBe(at.getTime());
    const raw = await c.db.collection('items').findOne({ _id: created._id });
    expect(Object.keys(raw!)[0]).toBe('_id');
    expect(await Item.exists({ name: 'first' })).toBeTruthy();
    expect(await Item.exists({ name: 'nobody' })).toBeNull();
  });

  it('insertMany: ordered stops at the first error, unordered goes on', async () => {
    const coll = c.db.collection('ordering');
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertOne({ k: 1 });
    const ordered = await coll.insertMany([{ k: 2 }, { k: 1 }, { k: 3 }], { ordered: true }).catch((e: { code: number; result: { insertedCount: number } }) => e);
    expect((ordered as { code: number }).code).toBe(11000);
    expect(await coll.countDocuments()).toBe(2);
    await coll.insertMany([{ k: 4 }, { k: 1 }, { k: 5 }], { ordered: false }).catch(() => undefined);
    expect((await coll.find().sort({ k: 1 }).toArray()).map((d) => d.k)).toEqual([1, 2, 4, 5]);
  });

  it('finds with filter, sort, skip, limit and projection', async () => {
    const coll = c.db.collection('people');
    await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ i, group: i % 3, name: `p${i}`, secret: 's' })));
    const page = await coll.find({ group: 1 }, { projection: { _id: 0, i: 1, name: 1 } }).sort({ i: -1 }).skip(2).limit(3).toArray();
    expect(page).toEqual([{ i: 22, name: 'p22' }, { i: 19, name: 'p19' }, { i: 16, name: 'p16' }]);
    const excluded = await coll.findOne({ i: 5 }, { projection: { secret: 0, _id: 0 } });
    expect(excluded).toEqual({ i: 5, group: 2, name: 'p5' });
    expect(await coll.countDocuments({ i: { $in: [1, 2, 99] } })).toBe(2);
    expect(await coll.find({ $or: [{ i: { $lt: 2 } }, { name: 'p29' }] }).toArray()).toHaveLength(3);
  });

  it('iterates a cursor over more than one batch (getMore) and closes one early (killCursors)', async () => {
    const coll = c.db.collection('many');
    await coll.insertMany(Array.from({ length: 251 }, (_, i) => ({ i })));
    let n = 0;
    for await (const doc of coll.find().sort({ i: 1 })) {
      expect(doc.i).toBe(n);
      n += 1;
    }
    expect(n).toBe(251);
    const small = coll.find({}, { batchSize: 50 });
    const batch: number[] = [];
    while (batch.length < 60) batch.push((await small.next())?.i as number);
    expect(batch).toEqual(Array.from({ length: 60 }, (_, i) => i));
    const cursorId = small.id;
    expect(cursorId && !cursorId.isZero()).toBe(true);
    await small.close();
    // The server forgot the cursor: a getMore on its id is CursorNotFound.
    expect(await codeOf(c.db.command({ getMore: cursorId, collection: 'many', batchSize: 10 }))).toBe(43);
    expect(await codeOf(c.db.command({ getMore: 987654321n as unknown as number, collection: 'many' }))).toBe(43);
  });

  it('counts (countDocuments, estimatedDocumentCount) and lists distinct values, flattening arrays', async () => {
    const coll = c.db.collection('counting');
    await coll.insertMany([{ t: ['a', 'b'], v: 1 }, { t: ['b', 'c'], v: 2 }, { t: 'd', v: 3 }, { v: 4 }]);
    expect(await coll.countDocuments({ v: { $gte: 2 } })).toBe(3);
    expect(await coll.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await coll.countDocuments({ nothing: 1 })).toBe(0);
    expect(await coll.estimatedDocumentCount()).toBe(4);
    expect((await coll.distinct('t')).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect((await coll.distinct('v', { v: { $lt: 3 } })).sort()).toEqual([1, 2]);
  });

  it('deletes one or many', async () => {
    const coll = c.db.collection('deleting');
    await coll.insertMany([{ g: 1 }, { g: 1 }, { g: 2 }, { g: 2 }, { g: 3 }]);
    expect((await coll.deleteOne({ g: 1 })).deletedCount).toBe(1);
    expect((await coll.deleteMany({ g: { $in: [1, 2] } })).deletedCount).toBe(3);
    expect(await coll.countDocuments()).toBe(1);
  });

  it('runs Model.bulkWrite as grouped insert, update and delete commands', async () => {
    const Thing = c.connection.model('Thing', new Schema({ name: String, n: Number, big: Boolean }), 'things');
    await Thing.insertMany([{ name: 'a', n: 1 }, { name: 'b', n: 2 }, { name: 'c', n: 3 }]);
    const result = await Thing.bulkWrite([
      { insertOne: { document: { name: 'd', n: 4 } } },
      { updateOne: { filter: { name: 'a' }, update: { $inc: { n: 10 } } } },
      { updateMany: { filter: { n: { $gte: 3 } }, update: { $set: { big: true } } } },
      { deleteOne: { filter: { name: 'c' } } },
      { updateOne: { filter: { name: 'z' }, update: { $set: { n: 0 } }, upsert: true } },
    ]);
    expect(result.insertedCount).toBe(1);
    expect(result.upsertedCount).toBe(1);
    expect(result.deletedCount).toBe(1);
    const docs = await c.db.collection('things').find({}, { projection: { _id: 0, __v: 0 } }).sort({ name: 1 }).toArray();
    expect(docs.map((d) => [d.name, d.n])).toEqual([['a', 11], ['b', 2], ['d', 4], ['z', 0]]);
    expect(docs.filter((d) => d.big).map((d) => d.name)).toEqual(['a', 'd']);
  });

  it('replaces a document, keeping its _id', async () => {
    const coll = c.db.collection('replacing');
    const { insertedId } = await coll.insertOne({ name: 'old', extra: true });
    const result = await coll.replaceOne({ _id: insertedId }, { name: 'new' });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({ _id: insertedId })).toEqual({ _id: insertedId, name: 'new' });
    const upserted = await coll.replaceOne({ name: 'absent' }, { name: 'absent', made: 1 }, { upsert: true });
    expect(upserted.upsertedCount).toBe(1);
  });
});
