import type { Connection, ConnectOptions } from 'mongoose';
import type { Collection, Document } from 'mongodb';
import type { QueueConfig } from '../config/queue-config';

/**
 * The production settings of the MongoDB connection: write concern and retryable writes apply to
 * every write; the read preference only to the admin and reporting reads (reportingCollection).
 */
export function mongoWriteSettings(mongodb: QueueConfig['mongodb']): Pick<ConnectOptions, 'writeConcern' | 'retryWrites'> {
  const { w, j, wtimeoutMs } = mongodb.writeConcern;
  return {
    writeConcern: { w, ...(j === undefined ? {} : { journal: j }), ...(wtimeoutMs === undefined ? {} : { wtimeoutMS: wtimeoutMs }) },
    retryWrites: mongodb.retryWrites,
  };
}

/**
 * The collection `name` as admin and reporting reads see it: with mongodb.readPreference (stats,
 * listings may then lag the primary by the replication delay). Writes through it still go to the
 * primary with the connection's write concern; the claim path never uses it.
 */
export function reportingCollection<T extends Document>(connection: Connection, name: string, mongodb: QueueConfig['mongodb']): Collection<T> {
  const db = connection.db;
  if (!db) throw new Error('MongoDB is not connected');
  return db.collection<T>(name, { readPreference: mongodb.readPreference }) as unknown as Collection<T>;
}
