import type { Document } from 'bson';
import type { CommandHandler } from './command-context';

/**
 * The hello reply of a standalone MongoDB 7.0. No topologyVersion (it would switch the driver
 * to the streaming monitor protocol) and no compression field (no OP_COMPRESSED).
 */
export const hello: CommandHandler = (_command, _db, { connectionId }) => ({
  helloOk: true,
  ismaster: true,
  isWritablePrimary: true,
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId,
  minWireVersion: 0,
  maxWireVersion: 21,
  readOnly: false,
  ok: 1,
});

export const ping: CommandHandler = () => ({ ok: 1 });

export const buildInfo: CommandHandler = () => ({
  version: '7.0.0-embedded',
  versionArray: [7, 0, 0, 0],
  gitVersion: 'embedded',
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['embedded'],
  ok: 1,
});

/** Sessions are implicit and hold no server state here. */
export const endSessions: CommandHandler = () => ({ ok: 1 });

export const getParameter: CommandHandler = (command: Document) => {
  const reply: Document = { ok: 1 };
  if (command.featureCompatibilityVersion !== undefined) reply.featureCompatibilityVersion = { version: '7.0' };
  return reply;
};
