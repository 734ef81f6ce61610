import type { Document } from 'bson';
import { EngineError, type UpdateStatement } from '../engine';
import { CommandError, optionalArray, requireString, type CommandHandler } from './command-context';

function writeError(index: number, error: unknown): Document {
  if (error instanceof EngineError) return { index, code: error.code, errmsg: error.message, ...error.extra };
  return { index, code: 2, errmsg: (error as Error)?.message ?? String(error) };
}

export const insert: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'insert');
  const documents = optionalArray(command, 'documents');
  if (!documents) throw new CommandError(9, 'FailedToParse', "'documents' must be an array");
  const ordered = command.ordered !== false;
  const outcome = engine.database(db).collection(name, true)!.insertMany(documents, ordered);
  const reply: Document = { n: outcome.inserted, ok: 1 };
  if (outcome.writeErrors.length > 0) reply.writeErrors = outcome.writeErrors.map((e) => writeError(e.index, e.error));
  return reply;
};

export const update: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'update');
  const statements = optionalArray(command, 'updates');
  if (!statements) throw new CommandError(9, 'FailedToParse', "'updates' must be an array");
  const ordered = command.ordered !== false;
  const database = engine.database(db);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors: Document[] = [];
  for (const [index, raw] of statements.entries()) {
    try {
      const statement = raw as UpdateStatement;
      if (!statement || typeof statement.q !== 'object' || statement.q === null) throw new EngineError(9, 'FailedToParse', "update statement needs a 'q' document");
      if (!statement.u || typeof statement.u !== 'object') throw new EngineError(9, 'FailedToParse', "update statement needs a 'u' document or pipeline");
      const collection = database.collection(name, statement.upsert === true);
      if (!collection) continue;
      const outcome = collection.update(statement);
      n += outcome.matched + (outcome.upsertedId !== undefined ? 1 : 0);
      nModified += outcome.modified;
      if (outcome.upsertedId !== undefined) upserted.push({ index, _id: outcome.upsertedId });
    } catch (error) {
      writeErrors.push(writeError(index, error));
      if (ordered) break;
    }
  }
  const reply: Document = { n, nModified, ok: 1 };
  if (upserted.length > 0) reply.upserted = upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
};

export const remove: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'delete');
  const statements = optionalArray(command, 'deletes');
  if (!statements) throw new CommandError(9, 'FailedToParse', "'deletes' must be an array");
  const ordered = command.ordered !== false;
  const collection = engine.database(db).collection(name, false);
  let n = 0;
  const writeErrors: Document[] = [];
  for (const [index, raw] of statements.entries()) {
    try {
      const statement = raw as { q?: Document; limit?: number; collation?: Document };
      if (!statement || typeof statement.q !== 'object' || statement.q === null) throw new EngineError(9, 'FailedToParse', "delete statement needs a 'q' document");
      if (statement.limit !== 0 && statement.limit !== 1) throw new EngineError(9, 'FailedToParse', 'delete limit must be 0 or 1');
      if (collection) n += collection.delete(statement.q, statement.limit, statement.collation);
    } catch (error) {
      writeErrors.push(writeError(index, error));
      if (ordered) break;
    }
  }
  const reply: Document = { n, ok: 1 };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
};

export const findAndModify: CommandHandler = (command, db, { engine }) => {
  const name = requireString(command, 'findAndModify' in command ? 'findAndModify' : 'findandmodify');
  const remove = command.remove === true;
  if (!remove && command.update === undefined) throw new CommandError(9, 'FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && command.upsert === true) throw new CommandError(9, 'FailedToParse', 'Cannot specify both an upsert and remove=true');
  const collection = engine.database(db).collection(name, command.upsert === true);
  if (!collection) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const outcome = collection.findAndModify({
    query: command.query as Document | undefined,
    sort: command.sort as Record<string, 1 | -1> | undefined,
    remove,
    update: command.update as Document | Document[] | undefined,
    new: command.new === true,
    upsert: command.upsert === true,
    fields: command.fields as Document | undefined,
    arrayFilters: command.arrayFilters as Document[] | undefined,
    collation: command.collation as Document | undefined,
    hint: command.hint as string | Document | undefined,
  });
  return { lastErrorObject: outcome.lastErrorObject, value: outcome.value, ok: 1 };
};
