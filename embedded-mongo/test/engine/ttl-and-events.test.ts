import { ObjectId } from 'bson';
import { createEngine, type ChangeEvent } from '../../src/engine';
import { codeOf } from './helpers';

describe('TTL sweep', () => {
  it('expires dates and arrays of dates, never other values', () => {
    const engine = createEngine({ now: () => new Date(100_000) });
    const coll = engine.database('t').collection('s', true);
    if (!coll) throw new Error('no collection');
    coll.createIndexes([{ key: { expireAt: 1 }, name: 'expireAt_1', expireAfterSeconds: 10 }]);
    coll.insertMany([
      { _id: 1, expireAt: new Date(90_000) },
      { _id: 2, expireAt: new Date(90_001) },
      { _id: 3, expireAt: [new Date(200_000), new Date(50_000)] },
      { _id: 4, expireAt: 5 },
      { _id: 5 },
      { _id: 6, expireAt: 'yesterday' },
    ], true);
    expect(engine.sweepTtl()).toBe(2);
    expect(coll.find({}).map((d) => d._id)).toEqual([2, 4, 5, 6]);
    expect(engine.sweepTtl(new Date(100_001))).toBe(1);
  });
});

describe('databases and collections', () => {
  it('creates, lists, drops; 48 when it exists', () => {
    const engine = createEngine();
    const db = engine.database('d');
    db.createCollection('a', { capped: false });
    expect(codeOf(() => db.createCollection('a'))).toBe(48);
    expect(db.collection('missing', false)).toBeUndefined();
    const infos = db.listCollections();
    expect(infos.map((i) => [i.name, i.options])).toEqual([['a', { capped: false }]]);
    expect(infos[0].uuid).toHaveLength(16);
    expect(db.listCollections()[0].uuid).toEqual(infos[0].uuid);
    expect(engine.listDatabases()).toEqual(['d']);
    expect(db.dropCollection('a')).toBe(1);
    expect(db.dropCollection('a')).toBeUndefined();
    engine.database('e').collection('x', true);
    engine.dropDatabase('e');
    expect(engine.listDatabases()).toEqual([]);
  });
});

describe('change events', () => {
  function populated() {
    const engine = createEngine();
    const events: ChangeEvent[] = [];
    engine.onChange((e) => events.push(e));
    const coll = engine.database('d').createCollection('jobs', { validator: {} });
    coll.createIndexes([{ key: { k: 1 }, name: 'k_1', unique: true }]);
    const id = new ObjectId();
    coll.insertMany([{ _id: id, k: 1, at: new Date(5) }, { k: 2 }, { k: 3 }], true);
    coll.update({ q: { k: 2 }, u: { $set: { v: 1 } } });
    coll.delete({ k: 3 }, 1);
    coll.update({ q: { k: 1 }, u: { $set: { k: 1 } } });
    return { engine, events, coll, id };
  }

  it('are emitted synchronously for each committed change only', () => {
    const { events } = populated();
    expect(events.map((e) => e.op)).toEqual(['createCollection', 'createIndex', 'put', 'put', 'put', 'put', 'delete']);
  });

  it('rebuild the same state by replay and by snapshot', () => {
    const { engine, events, id } = populated();
    const replayed = createEngine();
    const silent: ChangeEvent[] = [];
    replayed.onChange((e) => silent.push(e));
    for (const e of events) replayed.applyChange(e);
    expect(silent).toEqual([]);
    const fromSnapshot = createEngine();
    for (const e of engine.snapshot()) fromSnapshot.applyChange(e);
    for (const copy of [replayed, fromSnapshot]) {
      const coll = copy.database('d').collection('jobs', false);
      expect(coll?.find({})).toEqual(engine.database('d').collection('jobs', false)?.find({}));
      expect(coll?.listIndexes()).toEqual(engine.database('d').collection('jobs', false)?.listIndexes());
      expect(copy.database('d').listCollections()[0].options).toEqual({ validator: {} });
      expect(coll?.find({ filter: { _id: id } })[0]._id).toBeInstanceOf(ObjectId);
      expect(coll?.insertMany([{ k: 1 }], true).writeErrors[0].error.code).toBe(11000);
    }
    expect(engine.snapshot().map((e) => e.op)).toEqual(['createCollection', 'createIndex', 'put', 'put']);
  });
});
