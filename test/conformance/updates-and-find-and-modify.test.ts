import { Schema } from 'mongoose';
import { codeOf, openConformanceDb, suiteName, type ConformanceDb } from './support/conformance-db';

describe(suiteName('updates and findAndModify'), () => {
  let c: ConformanceDb;
  beforeAll(async () => {
    c = await openConformanceDb('conf_update');
  });
  afterAll(() => c.close());

  it('reports matched, modified and upserted counts exactly', async () => {
    const coll = c.db.collection('counts');
    await coll.insertMany([{ k: 1, v: 'x' }, { k: 2, v: 'x' }, { k: 3, v: 'y' }]);
    expect(await coll.updateMany({ v: 'x' }, { $set: { v: 'x' } })).toMatchObject({ matchedCount: 2, modifiedCount: 0, upsertedCount: 0 });
    expect(await coll.updateMany({ v: 'x' }, { $set: { w: 1 } })).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(await coll.updateOne({ k: 9 }, { $set: { v: 'z' } })).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0 });
    const upsert = await coll.updateOne({ k: 9, v: 'seed' }, { $set: { extra: true }, $setOnInsert: { created: 1 } }, { upsert: true });
    expect(upsert).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
    expect(await coll.findOne({ _id: upsert.upsertedId! }, { projection: { _id: 0 } })).toEqual({ k: 9, v: 'seed', extra: true, created: 1 });
    // $setOnInsert does nothing when the document exists.
    await coll.updateOne({ k: 9 }, { $set: { again: true }, $setOnInsert: { created: 2 } }, { upsert: true });
    expect(await coll.findOne({ k: 9 }, { projection: { _id: 0, created: 1, again: 1 } })).toEqual({ created: 1, again: true });
  });

  it('applies $inc, $unset, $min, $max, $currentDate, $push with $each/$slice, $addToSet, $pull', async () => {
    const coll = c.db.collection('operators');
    const { insertedId } = await coll.insertOne({ n: 5, gone: 1, lo: 10, hi: 10, log: [1, 2], tags: ['a'] });
    await coll.updateOne({ _id: insertedId }, {
      $inc: { n: 2, fresh: 1 },
      $unset: { gone: '' },
      $min: { lo: 3 },
      $max: { hi: 20 },
      $currentDate: { touched: true },
      $push: { log: { $each: [3, 4, 5], $slice: -3 } } as never,
      $addToSet: { tags: { $each: ['a', 'b'] } },
    });
    const doc = await coll.findOne({ _id: insertedId });
    expect(doc).toMatchObject({ n: 7, fresh: 1, lo: 3, hi: 20, log: [3, 4, 5], tags: ['a', 'b'] });
    expect(doc).not.toHaveProperty('gone');
    expect(doc?.touched).toBeInstanceOf(Date);
    await coll.updateOne({ _id: insertedId }, { $pull: { log: { $gte: 4 } } as never });
    expect((await coll.findOne({ _id: insertedId }))?.log).toEqual([3]);
  });

  it('supports replacement, pipeline updates, arrayFilters and the positional $', async () => {
    const coll = c.db.collection('shapes');
    const { insertedId } = await coll.insertOne({ a: 1, b: 2, items: [{ id: 1, qty: 5 }, { id: 2, qty: 1 }, { id: 3, qty: 7 }], grades: [80, 95, 100] });
    await coll.updateOne({ _id: insertedId }, [{ $set: { sum: { $add: ['$a', '$b'] }, a: '$$REMOVE' } }]);
    expect(await coll.findOne({ _id: insertedId }, { projection: { a: 1, sum: 1, _id: 0 } })).toEqual({ sum: 3 });
    await coll.updateOne({ _id: insertedId }, { $set: { 'items.$[big].flag': true } }, { arrayFilters: [{ 'big.qty': { $gte: 5 } }] });
    await coll.updateOne({ _id: insertedId, grades: 95 }, { $set: { 'grades.$': 96 } });
    const doc = await coll.findOne({ _id: insertedId });
    expect(doc?.items).toEqual([{ id: 1, qty: 5, flag: true }, { id: 2, qty: 1 }, { id: 3, qty: 7, flag: true }]);
    expect(doc?.grades).toEqual([80, 96, 100]);
  });

  it('findOneAndUpdate: sort picks the document, returnDocument before/after, projection, upsert', async () => {
    const Task = c.connection.model('Task', new Schema({ status: String, priority: Number, attempts: Number, owner: String }, { timestamps: true }), 'tasks');
    await Task.insertMany([
      { status: 'ready', priority: 1, attempts: 0 },
      { status: 'ready', priority: 9, attempts: 0 },
      { status: 'ready', priority: 5, attempts: 0 },
    ]);
    const after = await Task.findOneAndUpdate({ status: 'ready' }, { $set: { status: 'running', owner: 'w1' }, $inc: { attempts: 1 } }, { sort: { priority: -1 }, new: true }).lean();
    expect(after).toMatchObject({ priority: 9, status: 'running', attempts: 1, owner: 'w1' });
    const before = await Task.findOneAndUpdate({ status: 'ready' }, { $set: { status: 'running' } }, { sort: { priority: -1 }, new: false, projection: { priority: 1, status: 1 } }).lean();
    expect(before).toMatchObject({ priority: 5, status: 'ready' });
    expect(before).not.toHaveProperty('attempts');
    const upserted = await Task.findOneAndUpdate({ status: 'special', priority: 42 }, { $set: { owner: 'new' } }, { upsert: true, new: true }).lean();
    expect(upserted).toMatchObject({ status: 'special', priority: 42, owner: 'new' });
    expect(upserted?.createdAt).toBeInstanceOf(Date);
    const none = await Task.findOneAndUpdate({ status: 'absent' }, { $set: { owner: 'x' } }, { new: true });
    expect(none).toBeNull();
  });

  it('findOneAndDelete and findOneAndReplace', async () => {
    const coll = c.db.collection('fam');
    await coll.insertMany([{ k: 1, p: 1 }, { k: 1, p: 2 }, { k: 2, p: 3 }]);
    const removed = await coll.findOneAndDelete({ k: 1 }, { sort: { p: -1 } });
    expect(removed).toMatchObject({ k: 1, p: 2 });
    expect(await coll.countDocuments({ k: 1 })).toBe(1);
    const replaced = await coll.findOneAndReplace({ k: 2 }, { k: 2, replaced: true }, { returnDocument: 'after', projection: { _id: 0 } });
    expect(replaced).toEqual({ k: 2, replaced: true });
  });

  it.each([
    ['$inc on a string', { $inc: { s: 1 } }, 14],
    ['$push on a non-array', { $push: { s: 1 } }, 2],
    ['$set through a scalar', { $set: { 's.deep': 1 } }, 28],
    ['conflicting operators on one path', { $set: { n: 1 }, $inc: { n: 1 } }, 40],
    ['a change of _id', { $set: { _id: 'other' } }, 66],
    ['an unknown modifier', { $frobnicate: { n: 1 } }, 9],
  ])('rejects %s with its MongoDB code and leaves the document untouched', async (_name, update, code) => {
    const coll = c.db.collection('errors');
    await coll.deleteMany({});
    const { insertedId } = await coll.insertOne({ s: 'text', n: 1 });
    expect(await codeOf(coll.updateOne({ _id: insertedId }, update as never))).toBe(code);
    expect(await coll.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({ s: 'text', n: 1 });
    expect(await codeOf(coll.findOneAndUpdate({ _id: insertedId }, update as never))).toBe(code);
  });
});
