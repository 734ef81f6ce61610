import { Schema } from 'mongoose';
import { codeOf, openConformanceDb, suiteName, type ConformanceDb } from './support/conformance-db';

describe(suiteName('connection, collections and indexes'), () => {
  let c: ConformanceDb;
  beforeAll(async () => {
    c = await openConformanceDb('conf_admin');
  });
  afterAll(() => c.close());

  it('answers ping, buildInfo and hello like MongoDB 7+', async () => {
    expect(await c.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const info = await c.db.admin().command({ buildInfo: 1 });
    expect(Number(String(info.version).split('.')[0])).toBeGreaterThanOrEqual(7);
    const hello = await c.db.admin().command({ hello: 1 });
    expect(hello).toMatchObject({ isWritablePrimary: true, ok: 1 });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(21);
  });

  it('creates collections and indexes through Model.init(): unique, sparse, partial, TTL, compound', async () => {
    const schema = new Schema({ key: String, status: String, priority: Number, expireAt: Date, email: String });
    schema.index({ key: 1 }, { unique: true });
    schema.index({ email: 1 }, { unique: true, sparse: true });
    schema.index({ key: 1, status: 1 }, { unique: true, partialFilterExpression: { status: 'active' }, name: 'one_active' });
    schema.index({ expireAt: 1 }, { expireAfterSeconds: 3600 });
    schema.index({ status: 1, priority: -1 });
    const Model = c.connection.model('Indexed', schema, 'indexed');
    await Model.init();
    const indexes = await c.db.collection('indexed').listIndexes().toArray();
    expect(indexes[0]).toMatchObject({ name: '_id_', key: { _id: 1 } });
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i]));
    expect(byName.key_1).toMatchObject({ unique: true });
    expect(byName.email_1).toMatchObject({ unique: true, sparse: true });
    expect(byName.one_active).toMatchObject({ partialFilterExpression: { status: 'active' } });
    expect(byName.expireAt_1).toMatchObject({ expireAfterSeconds: 3600 });
    expect(byName['status_1_priority_-1']).toMatchObject({ key: { status: 1, priority: -1 } });
    // Init again: nothing changes, no error.
    await Model.init();
    await Model.syncIndexes();
    expect(await c.db.collection('indexed').listIndexes().toArray()).toHaveLength(indexes.length);
  });

  it('drops indexes by name, rejects unknown ones (27) and listIndexes on a missing collection (26)', async () => {
    const coll = c.db.collection('dropping');
    await coll.createIndex({ a: 1 });
    await coll.createIndex({ b: 1 }, { name: 'bee' });
    await coll.dropIndex('bee');
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'a_1']);
    expect(await codeOf(coll.dropIndex('nope'))).toBe(27);
    expect(await codeOf(c.db.collection('missing_collection').listIndexes().toArray())).toBe(26);
    await coll.dropIndexes();
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('refuses a conflicting index definition (85/86)', async () => {
    const coll = c.db.collection('conflicts');
    await coll.createIndex({ a: 1 }, { name: 'a_index' });
    expect([85, 86]).toContain(await codeOf(coll.createIndex({ a: 1 }, { name: 'other_name' })));
    expect([85, 86]).toContain(await codeOf(coll.createIndex({ b: 1 }, { name: 'a_index' })));
  });

  it('lists, creates (48 when it exists), drops collections and databases', async () => {
    await c.db.createCollection('listed');
    expect(await codeOf(c.db.createCollection('listed'))).toBe(48);
    const names = (await c.db.listCollections({}, { nameOnly: true }).toArray()).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['listed']));
    const full = await c.db.listCollections({ name: 'listed' }).toArray();
    expect(full).toHaveLength(1);
    expect(full[0]).toMatchObject({ name: 'listed', type: 'collection' });
    expect(await c.db.collection('listed').drop()).toBe(true);
    // Dropping a missing collection is not an error on MongoDB 7.
    await c.db.command({ drop: 'never_existed' });
    const other = c.client.db(`${c.db.databaseName}_x`);
    await other.collection('t').insertOne({ a: 1 });
    await other.dropDatabase();
    expect(await other.collection('t').countDocuments()).toBe(0);
  });

  it('answers unknown commands with 59 and transactions on a standalone with 20', async () => {
    expect(await codeOf(c.db.command({ frobnicate: 1 }))).toBe(59);
    const hello = await c.db.admin().command({ hello: 1 });
    if (hello.setName) return; // a replica set supports transactions
    const session = c.client.startSession();
    try {
      session.startTransaction();
      expect(await codeOf(c.db.collection('tx').insertOne({ a: 1 }, { session }))).toBe(20);
    } finally {
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
  });
});
