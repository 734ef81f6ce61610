import { MongoClient, type Db } from 'mongodb';
import mongoose, { type Connection } from 'mongoose';
import { testMongoKind, testMongoUri, uniqueDbName } from '../../support/mongo';

/** A raw driver client and a mongoose connection to one database of this file's own. */
export interface ConformanceDb {
  client: MongoClient;
  db: Db;
  connection: Connection;
  close(): Promise<void>;
}

export async function openConformanceDb(prefix: string): Promise<ConformanceDb> {
  const dbName = uniqueDbName(prefix);
  const client = await new MongoClient(testMongoUri()).connect();
  const connection = await mongoose.createConnection(testMongoUri(), { dbName }).asPromise();
  const db = client.db(dbName);
  return {
    client,
    db,
    connection,
    async close() {
      await db.dropDatabase().catch(() => undefined);
      await connection.close();
      await client.close();
    },
  };
}

/** The title of each conformance suite names the server it ran on. */
export function suiteName(theme: string): string {
  return `MongoDB conformance on ${testMongoKind()} server: ${theme}`;
}

/** The error code a rejected promise carries. */
export async function codeOf(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: number }).code;
  }
}
