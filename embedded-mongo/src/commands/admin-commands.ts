import { Binary, type Document } from 'bson';
import { Query } from 'mingo';
import type { IndexSpec } from '../engine';
import { CommandError, optionalArray, optionalDocument, requireString, type CommandHandler } from './command-context';

export const create: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'create');
  const { create: _name, $db: _db, lsid: _lsid, ...options } = command;
  engine.database(db).createCollection(name, options);
  return { ok: 1 };
};

export const createIndexes: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'createIndexes');
  const indexes = optionalArray(command, 'indexes');
  if (!indexes || indexes.length === 0) throw new CommandError(2, 'BadValue', "'indexes' must be a non-empty array");
  const database = engine.database(db);
  const existed = database.collection(name, false) !== undefined;
  const specs = indexes.map((raw) => {
    const { key, name: indexName, unique, sparse, partialFilterExpression, expireAfterSeconds } = raw as Document;
    if (!key || typeof key !== 'object') throw new CommandError(9, 'FailedToParse', "index spec needs a 'key' document");
    if (typeof indexName !== 'string') throw new CommandError(9, 'FailedToParse', "index spec needs a 'name' string");
    const spec: IndexSpec = { key: key as IndexSpec['key'], name: indexName };
    if (unique) spec.unique = true;
    if (sparse) spec.sparse = true;
    if (partialFilterExpression) spec.partialFilterExpression = partialFilterExpression as Document;
    if (expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(expireAfterSeconds);
    return spec;
  });
  const outcome = database.collection(name, true)!.createIndexes(specs);
  const reply: Document = {
    numIndexesBefore: outcome.numIndexesBefore,
    numIndexesAfter: outcome.numIndexesAfter,
    createdCollectionAutomatically: !existed,
    ok: 1,
  };
  if (outcome.note) reply.note = outcome.note;
  return reply;
};

function indexDocument(spec: IndexSpec): Document {
  const doc: Document = { v: 2, key: spec.key, name: spec.name };
  if (spec.unique) doc.unique = true;
  if (spec.sparse) doc.sparse = true;
  if (spec.partialFilterExpression) doc.partialFilterExpression = spec.partialFilterExpression;
  if (spec.expireAfterSeconds !== undefined) doc.expireAfterSeconds = spec.expireAfterSeconds;
  return doc;
}

export const listIndexes: CommandHandler = (command, db, { engine, cursors }) => {
  const name = requireString(command, 'listIndexes');
  const collection = engine.database(db).collection(name, false);
  if (!collection) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${db}.${name}`);
  const ns = `${db}.${name}`;
  const { batch, id } = cursors.open(ns, collection.listIndexes().map(indexDocument), Number.MAX_SAFE_INTEGER, false);
  return { cursor: { firstBatch: batch, id, ns }, ok: 1 };
};

export const dropIndexes: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'dropIndexes' in command ? 'dropIndexes' : 'deleteIndexes');
  const collection = engine.database(db).collection(name, false);
  if (!collection) throw new CommandError(26, 'NamespaceNotFound', `ns not found ${db}.${name}`);
  const target = command.index as string | string[] | Document | undefined;
  if (target === undefined) throw new CommandError(9, 'FailedToParse', "'index' must be specified");
  const nIndexesWas = collection.dropIndexes(target);
  return { nIndexesWas, ok: 1 };
};

export const listCollections: CommandHandler = (command, db, { engine, cursors }) => {
  const filter = optionalDocument(command, 'filter') ?? {};
  const nameOnly = command.nameOnly === true;
  const docs = engine
    .database(db)
    .listCollections()
    .map((info) =>
      nameOnly
        ? { name: info.name, type: 'collection' }
        : {
            name: info.name,
            type: 'collection',
            options: info.options,
            info: { readOnly: false, uuid: new Binary(Buffer.from(info.uuid), Binary.SUBTYPE_UUID) },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    );
  const matcher = new Query(filter);
  const ns = `${db}.$cmd.listCollections`;
  const { batch, id } = cursors.open(ns, docs.filter((d) => matcher.test(d)), Number.MAX_SAFE_INTEGER, false);
  return { cursor: { firstBatch: batch, id, ns }, ok: 1 };
};

export const drop: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'drop');
  const nIndexesWas = engine.database(db).dropCollection(name);
  // MongoDB 7.0 answers ok for a missing collection.
  return nIndexesWas === undefined ? { ok: 1 } : { nIndexesWas, ns: `${db}.${name}`, ok: 1 };
};

export const dropDatabase: CommandHandler = (_command, db, { engine }) => {
  engine.dropDatabase(db);
  return { ok: 1 };
};

export const listDatabases: CommandHandler = (command, _db, { engine }) => {
  const names = engine.listDatabases();
  if (command.nameOnly === true) return { databases: names.map((name) => ({ name })), ok: 1 };
  return { databases: names.map((name) => ({ name, sizeOnDisk: 0, empty: false })), totalSize: 0, totalSizeMb: 0, ok: 1 };
};
