import { lookup } from 'node:dns/promises';
import type { Logger } from 'pino';
import { silentLogger } from '../logging/logger';
import { EmbeddedMongoServer } from '../../embedded-mongo/src/server';

export type MongoKind = 'external' | 'memory-server' | 'embedded';

export interface AcquiredMongo {
  /** `mongodb://host:port/` (no database: callers choose theirs). */
  uri: string;
  kind: MongoKind;
  reason: string;
  stop(): Promise<void>;
}

export interface AcquireMongoOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Persist the embedded server's data here (memory only when absent). */
  dataDir?: string;
}

/** The host mongodb-memory-server downloads from (its mirror setting wins). */
function downloadHost(env: NodeJS.ProcessEnv): string {
  const mirror = env.MONGOMS_DOWNLOAD_MIRROR ?? 'https://fastdl.mongodb.org';
  try {
    return new URL(mirror).hostname;
  } catch {
    return 'fastdl.mongodb.org';
  }
}

async function resolvesWithin(host: string, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      lookup(host).then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A real mongod from mongodb-memory-server when one can be had quickly: a binary already
 * present (MONGOMS_SYSTEM_BINARY or its cache), or a download host that answers. Otherwise
 * undefined, with the reason.
 */
async function tryMemoryServer(env: NodeJS.ProcessEnv): Promise<{ server?: { getUri(): string; stop(): Promise<boolean> }; reason: string }> {
  if (env.QUEUE_EMBEDDED_MONGO === '1') return { reason: 'QUEUE_EMBEDDED_MONGO=1 asks for the embedded server' };
  const { MongoMemoryServer, DryMongoBinary } = await import('mongodb-memory-server');
  const binary = env.MONGOMS_SYSTEM_BINARY ?? (await DryMongoBinary.locateBinary({ version: (await DryMongoBinary.generateOptions()).version }).catch(() => undefined));
  if (!binary && !(await resolvesWithin(downloadHost(env), 1500))) {
    return { reason: `no mongod binary is present and ${downloadHost(env)} cannot be reached (offline)` };
  }
  const timeoutMs = Number(env.QUEUE_MEMORY_SERVER_TIMEOUT_MS ?? 60_000);
  let timer: NodeJS.Timeout | undefined;
  try {
    const server = await Promise.race([
      MongoMemoryServer.create(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no mongod within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { server, reason: binary ? `mongod binary at ${binary}` : 'mongod downloaded' };
  } catch (error) {
    return { reason: `mongodb-memory-server could not start a mongod: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One MongoDB for tests and the demo: MONGO_URI if set; else a real mongod through
 * mongodb-memory-server; else the embedded server. Logs one line saying which and why.
 */
export async function acquireMongo(options: AcquireMongoOptions = {}): Promise<AcquiredMongo> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger();
  if (env.MONGO_URI) {
    const acquired: AcquiredMongo = { uri: env.MONGO_URI, kind: 'external', reason: 'MONGO_URI is set', stop: async () => undefined };
    logger.info({ kind: acquired.kind, reason: acquired.reason }, 'using the MongoDB at MONGO_URI');
    return acquired;
  }
  const memory = await tryMemoryServer(env);
  if (memory.server) {
    const server = memory.server;
    const uri = server.getUri().replace(/\/[^/]*$/, '/');
    logger.info({ kind: 'memory-server', uri, reason: memory.reason }, 'using mongodb-memory-server');
    return { uri, kind: 'memory-server', reason: memory.reason, stop: async () => void (await server.stop()) };
  }
  const embedded = new EmbeddedMongoServer();
  await embedded.start({ dataDir: options.dataDir, logger });
  const reason = `${memory.reason}; using the embedded MongoDB-compatible server`;
  logger.info({ kind: 'embedded', uri: embedded.uri, reason }, 'using the embedded MongoDB server');
  return { uri: embedded.uri, kind: 'embedded', reason, stop: () => embedded.stop() };
}
