import { acquireMongo } from '../../src/devservers/mongo';
import { createLogger } from '../../src/logging/logger';

/**
 * Starts one MongoDB for the whole run (MONGO_URI, mongodb-memory-server, or the
 * embedded server) and hands its URI to the test workers through the environment.
 * Each test file works in databases of its own (see test/support/mongo.ts).
 */
export default async function globalSetup(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'test-mongo' });
  const mongo = await acquireMongo({ logger });
  process.env.QUEUE_TEST_MONGO_URI = mongo.uri;
  process.env.QUEUE_TEST_MONGO_KIND = mongo.kind;
  (globalThis as { __queueTestMongo?: typeof mongo }).__queueTestMongo = mongo;
}
