import { randomBytes } from 'node:crypto';

/** The run's MongoDB URI (`mongodb://host:port/`, no database), set by global-setup. */
export function testMongoUri(): string {
  const uri = process.env.QUEUE_TEST_MONGO_URI;
  if (!uri) throw new Error('QUEUE_TEST_MONGO_URI is not set: run the tests through jest (test/support/global-setup.ts)');
  return uri;
}

/** Which server the run uses: external, memory-server or embedded. */
export function testMongoKind(): string {
  return process.env.QUEUE_TEST_MONGO_KIND ?? 'unknown';
}

/** A database name no other test uses (MongoDB limits names to 63 bytes). */
export function uniqueDbName(prefix: string): string {
  const clean = prefix.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 40);
  return `${clean}_${randomBytes(5).toString('hex')}`;
}
