import { Long, type Document } from 'bson';
import { Query } from 'mingo';
import { CommandError, optionalArray, optionalDocument, optionalNumber, requireString, type CommandHandler } from './command-context';

const DEFAULT_FIRST_BATCH = 101;

/** mongod parses a filter even when the collection does not exist: an unknown operator is still an error. */
function checkFilter(filter: Document): void {
  try {
    new Query(filter);
  } catch (error) {
    throw new CommandError(2, 'BadValue', (error as Error).message);
  }
}

function cursorReply(ns: string, batch: Document[], id: Long, first: boolean): Document {
  return { cursor: { [first ? 'firstBatch' : 'nextBatch']: batch, id, ns }, ok: 1 };
}

export const find: CommandHandler = (command, db, { engine, cursors }) => {
  const name = requireString(command, 'find');
  const filter = optionalDocument(command, 'filter') ?? {};
  const sort = optionalDocument(command, 'sort') as Record<string, 1 | -1> | undefined;
  const projection = optionalDocument(command, 'projection');
  const skip = optionalNumber(command, 'skip') ?? 0;
  let limit = optionalNumber(command, 'limit') ?? 0;
  let singleBatch = command.singleBatch === true;
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const batchSize = optionalNumber(command, 'batchSize') ?? DEFAULT_FIRST_BATCH;
  const collection = engine.database(db).collection(name, false);
  if (!collection) checkFilter(filter);
  const docs = collection
    ? collection.find({ filter, sort, skip, limit, projection, hint: command.hint as string | Document | undefined, collation: optionalDocument(command, 'collation') })
    : [];
  const ns = `${db}.${name}`;
  const { batch, id } = cursors.open(ns, docs, batchSize, singleBatch || limit === 1);
  return cursorReply(ns, batch, id, true);
};

export const getMore: CommandHandler = (command, db, { cursors }) => {
  const raw = command.getMore;
  const id = typeof raw === 'number' ? String(raw) : raw instanceof Long || (raw as { _bsontype?: string })?._bsontype === 'Long' ? (raw as Long).toString() : undefined;
  if (id === undefined) throw new CommandError(14, 'TypeMismatch', "field 'getMore' must be a cursor id");
  const collection = requireString(command, 'collection');
  const batchSize = optionalNumber(command, 'batchSize') ?? Number.MAX_SAFE_INTEGER;
  const next = cursors.next(id, batchSize);
  if (!next) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
  return cursorReply(next.ns ?? `${db}.${collection}`, next.batch, next.id, false);
};

export const killCursors: CommandHandler = (command, _db, { cursors }) => {
  requireString(command, 'killCursors');
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of optionalArray(command, 'cursors') ?? []) {
    const id = Long.fromValue(raw as unknown as Long | number | string);
    (cursors.kill(id.toString()) ? killed : notFound).push(id);
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

export const count: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'count');
  const collection = engine.database(db).collection(name, false);
  const query = optionalDocument(command, 'query');
  if (!collection) {
    checkFilter(query ?? {});
    return { n: 0, ok: 1 };
  }
  const skip = optionalNumber(command, 'skip');
  const limit = optionalNumber(command, 'limit');
  const n = !query && !skip && !limit ? collection.estimatedCount() : collection.count(query ?? {}, { skip, limit: limit ? Math.abs(limit) : undefined });
  return { n, ok: 1 };
};

export const distinct: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'distinct');
  const key = requireString(command, 'key');
  const collection = engine.database(db).collection(name, false);
  return { values: collection ? collection.distinct(key, optionalDocument(command, 'query') ?? {}) : [], ok: 1 };
};

export const aggregate: CommandHandler = (command, db, { engine, cursors }) => {
  const target = command.aggregate;
  const pipeline = optionalArray(command, 'pipeline');
  if (!pipeline) throw new CommandError(9, 'FailedToParse', "'pipeline' option must be specified as an array");
  if (pipeline.some((stage) => stage && typeof stage === 'object' && '$changeStream' in stage)) {
    throw new CommandError(40573, 'Location40573', 'The $changeStream stage is only supported on replica sets');
  }
  if (typeof target !== 'string') throw new CommandError(59, 'CommandNotFound', 'collection-less aggregate is not supported by the embedded server');
  const cursorOptions = optionalDocument(command, 'cursor');
  if (!cursorOptions && command.explain !== true) throw new CommandError(9, 'FailedToParse', "The 'cursor' option is required");
  const collection = engine.database(db).collection(target, false);
  const docs = collection ? collection.aggregate(pipeline) : [];
  const ns = `${db}.${target}`;
  const batchSize = optionalNumber(cursorOptions ?? {}, 'batchSize') ?? DEFAULT_FIRST_BATCH;
  const { batch, id } = cursors.open(ns, docs, batchSize, false);
  return cursorReply(ns, batch, id, true);
};
