import type { Collection } from 'mongodb';
import type { QueueConfig } from '../config/queue-config';
import type { Connection } from 'mongoose';
import { ConsumerGroups, type ConsumerDocument, type ConsumerGroupDocument } from './consumer-groups';
import { dlqModelFor, ensureDlqIndexes } from './dlq-model';
import { DlqStore, type DlqDocument } from './dlq-store';
import { jobModelFor } from './job-model';
import { JobReads } from './job-reads';
import { JobStore, type JobDocument, type JobStoreLimits } from './job-store';
import { MessageStore, type MessageDocument } from './message-store';
import { reportingCollection } from './mongo-settings';
import { QueueControlStore, type QueueControlDocument } from './queue-control-store';
import { RecurringStore, type RecurringDocument } from './recurring-store';
import { TaskLeaseStore, type TaskLeaseDocument } from './task-lease-store';

/** The collections of the queue system, by name (one database holds every queue's documents). */
const COLLECTIONS = {
  controls: 'queue_controls',
  taskLeases: 'task_leases',
  messages: 'queue_messages',
  groups: 'queue_consumer_groups',
  consumers: 'queue_consumers',
  recurring: 'queue_recurring',
} as const;

function collectionOf<T extends object>(connection: Connection, name: string): Collection<T> {
  return connection.collection<T>(name) as unknown as Collection<T>;
}

/** Creates the jobs and DLQ collections and the indexes every queue relies on (idempotent). */
export async function ensureQueueStorage(connection: Connection): Promise<void> {
  const jobModel = jobModelFor(connection);
  const dlqModel = dlqModelFor(connection);
  await Promise.all([jobModel.createCollection(), dlqModel.createCollection()]);
  await Promise.all([jobModel.createIndexes(), ensureDlqIndexes(dlqModel), controlStoreOn(connection).ensureIndexes()]);
}

export function controlStoreOn(connection: Connection): QueueControlStore {
  return new QueueControlStore(collectionOf<QueueControlDocument>(connection, COLLECTIONS.controls));
}

export function taskLeaseStoreOn(connection: Connection): TaskLeaseStore {
  return new TaskLeaseStore(collectionOf<TaskLeaseDocument>(connection, COLLECTIONS.taskLeases));
}

/** The job and DLQ stores and the job reads on one connection. */
export function jobStoresOn(connection: Connection, limits: JobStoreLimits): { store: JobStore; dlqStore: DlqStore; reads: JobReads } {
  const jobs = jobModelFor(connection).collection as unknown as Collection<JobDocument>;
  return {
    store: new JobStore(jobs, limits),
    dlqStore: new DlqStore(dlqModelFor(connection).collection as unknown as Collection<DlqDocument>),
    reads: new JobReads(jobs),
  };
}

/**
 * The job and DLQ stores and the job reads as admin and reporting reads see them: with
 * mongodb.readPreference (a secondary may lag the primary). The claim path never uses them.
 */
export function reportingStoresOn(connection: Connection, limits: JobStoreLimits, mongodb: QueueConfig['mongodb']): { jobs: JobStore; dlq: DlqStore; reads: JobReads } {
  const jobs = reportingCollection<JobDocument>(connection, jobModelFor(connection).collection.collectionName, mongodb);
  return {
    jobs: new JobStore(jobs, limits),
    dlq: new DlqStore(reportingCollection<DlqDocument>(connection, dlqModelFor(connection).collection.collectionName, mongodb)),
    reads: new JobReads(jobs),
  };
}

/** The named-queue engine's stores: messages, consumer groups and their consumers, recurring schedules. */
export function namedQueueStoresOn(connection: Connection): { messages: MessageStore; groups: ConsumerGroups; recurring: RecurringStore } {
  return {
    messages: new MessageStore(collectionOf<MessageDocument>(connection, COLLECTIONS.messages)),
    groups: new ConsumerGroups(collectionOf<ConsumerGroupDocument>(connection, COLLECTIONS.groups), collectionOf<ConsumerDocument>(connection, COLLECTIONS.consumers)),
    recurring: new RecurringStore(collectionOf<RecurringDocument>(connection, COLLECTIONS.recurring)),
  };
}
