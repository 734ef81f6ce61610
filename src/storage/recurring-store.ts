import type { Collection } from 'mongodb';
import type { RecurringJobDetails, RecurringJobInfo } from '../queue-api/queue-api';

/** A schedule as stored (interval seconds, or a checked cron expression). */
type NormalizedSchedule = RecurringJobInfo['schedule'];

export interface RecurringDocument {
  queue: string;
  scheduleId: string;
  data: unknown;
  schedule: NormalizedSchedule;
  priority: number;
  nextRunAt: Date;
  lastRunAt: Date | null;
  runCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Recurring schedules of named queues, in MongoDB: they survive restarts and every process sees them. */
export class RecurringStore {
  constructor(readonly collection: Collection<RecurringDocument>) {}

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ queue: 1, scheduleId: 1 }, { unique: true, name: 'queue_schedule_unique' });
    await this.collection.createIndex({ queue: 1, nextRunAt: 1 }, { name: 'due' });
  }

  /** Creates or replaces a schedule (same queue and id: the new definition and next run win). */
  async upsert(doc: Omit<RecurringDocument, 'lastRunAt' | 'runCount' | 'createdAt'>): Promise<RecurringDocument> {
    const result = await this.collection.findOneAndUpdate(
      { queue: doc.queue, scheduleId: doc.scheduleId },
      {
        $set: { data: doc.data, schedule: doc.schedule, priority: doc.priority, nextRunAt: doc.nextRunAt, updatedAt: doc.updatedAt },
        $setOnInsert: { lastRunAt: null, runCount: 0, createdAt: doc.updatedAt },
      },
      { upsert: true, returnDocument: 'after' },
    );
    if (!result) throw new Error(`schedule ${doc.scheduleId} vanished while being written`);
    return result;
  }

  async remove(queue: string, scheduleId: string): Promise<boolean> {
    return (await this.collection.deleteOne({ queue, scheduleId })).deletedCount === 1;
  }

  async get(queue: string, scheduleId: string): Promise<RecurringDocument | null> {
    return this.collection.findOne({ queue, scheduleId });
  }

  /** Every schedule of a queue, or of every queue when `queue` is undefined. */
  async list(queue?: string): Promise<RecurringDocument[]> {
    return this.collection.find(queue === undefined ? {} : { queue }).sort({ queue: 1, scheduleId: 1 }).toArray();
  }

  async findDue(queue: string, now: Date, limit: number): Promise<RecurringDocument[]> {
    return this.collection.find({ queue, nextRunAt: { $lte: now } }).sort({ nextRunAt: 1 }).limit(limit).toArray();
  }

  /** Moves a fired schedule on; false when another process (or a replacement) moved it first. */
  async advance(doc: RecurringDocument, nextRunAt: Date, now: Date): Promise<boolean> {
    const result = await this.collection.updateOne(
      { queue: doc.queue, scheduleId: doc.scheduleId, nextRunAt: doc.nextRunAt },
      { $set: { nextRunAt, lastRunAt: doc.nextRunAt, updatedAt: now }, $inc: { runCount: 1 } },
    );
    return result.modifiedCount === 1;
  }
}

export function toRecurringInfo(doc: RecurringDocument): RecurringJobDetails {
  return {
    jobId: doc.scheduleId,
    queue: doc.queue,
    data: doc.data,
    schedule: doc.schedule,
    priority: doc.priority,
    nextRunAt: doc.nextRunAt,
    lastRunAt: doc.lastRunAt,
    runCount: doc.runCount,
    createdAt: doc.createdAt,
  };
}
