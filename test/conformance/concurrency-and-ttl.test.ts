import { MongoClient } from 'mongodb';
import { EmbeddedMongoServer } from '../../embedded-mongo/src/server';
import { testMongoKind, testMongoUri } from '../support/mongo';
import { waitFor } from '../support/wait-for';
import { openConformanceDb, suiteName, type ConformanceDb } from './support/conformance-db';

describe(suiteName('atomicity under concurrency, and TTL'), () => {
  let c: ConformanceDb;
  const clients: MongoClient[] = [];
  beforeAll(async () => {
    c = await openConformanceDb('conf_concurrency');
    for (let i = 0; i < 16; i += 1) clients.push(await new MongoClient(testMongoUri(), { maxPoolSize: 4 }).connect());
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await c.close();
  });

  it('16 clients racing findOneAndUpdate claims take each document exactly once', async () => {
    const n = 500;
    await c.db.collection('claims').createIndex({ status: 1, priority: -1, _id: 1 });
    await c.db.collection('claims').insertMany(Array.from({ length: n }, (_, i) => ({ i, status: 'ready', priority: i % 7 })));
    const claimed: number[][] = await Promise.all(
      clients.map(async (client, worker) => {
        const coll = client.db(c.db.databaseName).collection('claims');
        const mine: number[] = [];
        for (;;) {
          const doc = await coll.findOneAndUpdate({ status: 'ready' }, { $set: { status: 'taken', by: worker }, $inc: { claims: 1 } }, { sort: { priority: -1, _id: 1 }, returnDocument: 'after' });
          if (!doc) return mine;
          mine.push(doc.i as number);
        }
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(n);
    expect(new Set(all).size).toBe(n);
    expect(await c.db.collection('claims').countDocuments({ claims: 1, status: 'taken' })).toBe(n);
    expect(claimed.filter((m) => m.length > 0).length).toBeGreaterThan(1);
  });

  it('1,000 concurrent $inc give exactly 1,000', async () => {
    const coll = c.db.collection('counter');
    await coll.insertOne({ _id: 'c' as never, n: 0 });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => clients[i % clients.length].db(c.db.databaseName).collection('counter').updateOne({ _id: 'c' as never }, { $inc: { n: 1 } })));
    expect((await coll.findOne({ _id: 'c' as never }))?.n).toBe(1000);
  });

  it('concurrent upserts on a unique key end with one document (11000 tolerated, as on a real server)', async () => {
    const coll = c.db.collection('upserts');
    await coll.createIndex({ key: 1 }, { unique: true });
    const results = await Promise.allSettled(
      clients.map((client) => client.db(c.db.databaseName).collection('upserts').updateOne({ key: 'only' }, { $inc: { hits: 1 } }, { upsert: true })),
    );
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code: number }).code).toBe(11000);
    expect(await coll.countDocuments({ key: 'only' })).toBe(1);
  });

  it('expires documents through a TTL index', async () => {
    // The embedded server sweeps on a configurable interval; a real mongod's TTL monitor runs every 60 s.
    const own = testMongoKind() === 'embedded' ? await new EmbeddedMongoServer().start({ ttlSweepIntervalMs: 100 }) : undefined;
    const client = own ? await new MongoClient(own.uri).connect() : c.client;
    try {
      const coll = client.db(c.db.databaseName).collection('ttl');
      await coll.createIndex({ expireAt: 1 }, { expireAfterSeconds: 0 });
      await coll.insertMany([{ k: 'old', expireAt: new Date(Date.now() - 1000) }, { k: 'future', expireAt: new Date(Date.now() + 3_600_000) }, { k: 'not a date', expireAt: 'soon' }]);
      await waitFor(async () => (await coll.countDocuments({ k: 'old' })) === 0, 'the expired document to be removed', own ? 10_000 : 90_000, 100);
      expect((await coll.find({}, { projection: { _id: 0, k: 1 } }).sort({ k: 1 }).toArray()).map((d) => d.k)).toEqual(['future', 'not a date']);
    } finally {
      if (own) {
        await client.close();
        await own.stop();
      }
    }
  }, 100_000);
});
