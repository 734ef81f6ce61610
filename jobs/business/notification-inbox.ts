import type { Connection } from 'mongoose';
import { ObjectId } from 'mongodb';
import type { NotificationType } from './user-notification.job';

export interface InAppNotification {
  _id: ObjectId;
  userId: string;
  title: string;
  body: string;
  /** info, success, warning or error (absent on notifications stored before types existed). */
  type?: NotificationType;
  data?: Record<string, unknown>;
  createdAt: Date;
  readAt: Date | null;
  /** The job that created it (one notification per job, however often the job runs). */
  sourceJobId: string;
}

/** The in-app notifications written by user_notification, as an application reads them. */
export class NotificationInbox {
  constructor(private readonly connection: Connection) {}

  private get collection() {
    return this.connection.collection<InAppNotification>('notifications');
  }

  async list(userId: string, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<InAppNotification[]> {
    const filter: Record<string, unknown> = { userId };
    if (options.unreadOnly) filter.readAt = null;
    return this.collection
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(Math.min(Math.max(options.limit ?? 50, 1), 500))
      .toArray();
  }

  /** Deletes (or, dry run, counts) notifications read before `before` (retention). */
  async removeReadBefore(before: Date, dryRun = false): Promise<number> {
    const filter = { readAt: { $ne: null, $lt: before } };
    return dryRun ? this.collection.countDocuments(filter) : (await this.collection.deleteMany(filter)).deletedCount;
  }

  /** Marks the given notifications of this user read; returns how many changed. */
  async markRead(userId: string, ids: string[]): Promise<number> {
    const objectIds = ids.filter((id) => ObjectId.isValid(id)).map((id) => new ObjectId(id));
    const result = await this.collection.updateMany({ userId, _id: { $in: objectIds }, readAt: null }, { $set: { readAt: new Date() } });
    return result.modifiedCount;
  }
}
