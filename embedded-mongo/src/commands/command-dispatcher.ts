import type { Document } from 'bson';
import { EngineError } from '../engine';
import * as admin from './admin-commands';
import { CommandError, type CommandContext, type CommandHandler } from './command-context';
import * as handshake from './handshake-commands';
import * as reads from './read-commands';
import * as writes from './write-commands';

/** Command name (lower-cased) → handler. Anything else is CommandNotFound, as on mongod. */
const HANDLERS: Record<string, CommandHandler> = {
  hello: handshake.hello,
  ismaster: handshake.hello,
  ping: handshake.ping,
  buildinfo: handshake.buildInfo,
  endsessions: handshake.endSessions,
  getparameter: handshake.getParameter,
  listdatabases: admin.listDatabases,
  create: admin.create,
  createindexes: admin.createIndexes,
  listindexes: admin.listIndexes,
  dropindexes: admin.dropIndexes,
  deleteindexes: admin.dropIndexes,
  listcollections: admin.listCollections,
  drop: admin.drop,
  dropdatabase: admin.dropDatabase,
  insert: writes.insert,
  update: writes.update,
  delete: writes.remove,
  findandmodify: writes.findAndModify,
  find: reads.find,
  getmore: reads.getMore,
  killcursors: reads.killCursors,
  count: reads.count,
  distinct: reads.distinct,
  aggregate: reads.aggregate,
};

const TRANSACTION_COMMANDS = new Set(['committransaction', 'aborttransaction']);

/** Runs one command synchronously (atomic with respect to every other client) and builds its reply. */
export function dispatchCommand(command: Document, context: CommandContext): Document {
  const name = Object.keys(command)[0];
  if (!name) return errorReply(new CommandError(59, 'CommandNotFound', 'empty command'));
  const db = typeof command.$db === 'string' ? command.$db : 'admin';
  try {
    const lower = name.toLowerCase();
    if (command.txnNumber !== undefined || command.startTransaction !== undefined || TRANSACTION_COMMANDS.has(lower)) {
      throw new CommandError(20, 'IllegalOperation', 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const handler = HANDLERS[lower];
    if (!handler) throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
    return handler(command, db, context);
  } catch (error) {
    return errorReply(error);
  }
}

export function errorReply(error: unknown): Document {
  if (error instanceof EngineError) return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName, ...error.extra };
  if (error instanceof CommandError) return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName };
  const message = (error as Error)?.message ?? String(error);
  // Anything unexpected (a query the matcher rejects, a bug) is BadValue: never a state-change code.
  return { ok: 0, errmsg: message, code: 2, codeName: 'BadValue' };
}
