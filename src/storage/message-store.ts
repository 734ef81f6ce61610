import type { Collection, ObjectId } from 'mongodb';
import type { MessageBackoff } from '../queue-api/queue-api';

/** One enqueued message of a named queue: the payload and the groups it is owed to. */
export interface MessageDocument {
  _id?: ObjectId;
  queue: string;
  /** The id enqueue returned (unique per queue: a second enqueue with it adds nothing). */
  messageId: string;
  data: unknown;
  priority: number;
  lifo: boolean;
  orderKey: number;
  runAt: Date;
  createdAt: Date;
  /** Groups that existed at enqueue (empty: waiting for the first group to register). */
  groups: string[];
  /** True once a delivery exists for every group in `groups`. */
  delivered: boolean;
  /** The message's own attempts and backoff (absent: its group's settings). */
  attempts?: number;
  backoff?: MessageBackoff;
}

/** A message whose deliveries are still missing this long after enqueue is repaired (its writer crashed). */
export const UNDELIVERED_REPAIR_AGE_MS = 5_000;

export class MessageStore {
  constructor(readonly collection: Collection<MessageDocument>) {}

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ queue: 1, messageId: 1 }, { unique: true, name: 'queue_message_unique' });
    // Serves the repair scan (delivered: false) and the retention scan (delivered: true), oldest first.
    await this.collection.createIndex({ queue: 1, delivered: 1, createdAt: 1 }, { name: 'by_delivery_state' });
  }

  /** Inserts the message; false when one with this id already exists in the queue. */
  async insert(message: MessageDocument): Promise<boolean> {
    try {
      await this.collection.insertOne(message);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  async markDelivered(queue: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.collection.updateMany({ queue, messageId: { $in: messageIds }, delivered: false }, { $set: { delivered: true } });
  }

  /** Messages without all their deliveries yet, oldest first. */
  async findUndelivered(queue: string, limit: number): Promise<MessageDocument[]> {
    return this.collection.find({ queue, delivered: false }).sort({ createdAt: 1, _id: 1 }).limit(limit).toArray();
  }

  /** Gives waiting messages to the groups that exist now; false when someone else assigned it first. */
  async assignGroups(message: MessageDocument, groups: string[]): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: message._id, delivered: false, groups: { $size: 0 } }, { $set: { groups } });
    return result.modifiedCount === 1;
  }

  /** Messages waiting for a first group: ready ones count as waiting, the rest as delayed. */
  async countUnassigned(queue: string, now: Date): Promise<{ ready: number; delayed: number }> {
    const [ready, delayed] = await Promise.all([
      this.collection.countDocuments({ queue, delivered: false, groups: { $size: 0 }, runAt: { $lte: now } }),
      this.collection.countDocuments({ queue, delivered: false, groups: { $size: 0 }, runAt: { $gt: now } }),
    ]);
    return { ready, delayed };
  }

  /** Delivered messages created before `before`, for the retention pass. */
  async findDeliveredBefore(queue: string, before: Date, limit: number): Promise<Array<Pick<MessageDocument, 'messageId' | 'groups'>>> {
    return this.collection
      .find({ queue, delivered: true, createdAt: { $lt: before } }, { projection: { _id: 0, messageId: 1, groups: 1 } })
      .sort({ createdAt: 1 })
      .limit(limit)
      .toArray();
  }

  async deleteMany(queue: string, messageIds: string[]): Promise<number> {
    if (messageIds.length === 0) return 0;
    return (await this.collection.deleteMany({ queue, messageId: { $in: messageIds } })).deletedCount;
  }
}
