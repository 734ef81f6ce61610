import type { Collection } from 'mongodb';

export interface TaskLeaseDocument {
  /** `<queue>:<task>`. */
  _id: string;
  holder: string;
  until: Date;
}

/**
 * Singleton maintenance tasks (scheduler, sweeper) take this MongoDB lease when the Redis task
 * lock cannot be had for a reason other than "held" (Redis down, refusing writes), so exactly one
 * process still runs each task. One guarded upsert: a free or expired lease (or our own) is taken;
 * a live lease of another holder makes the upsert collide on _id, which means "held".
 */
export class TaskLeaseStore {
  constructor(readonly collection: Collection<TaskLeaseDocument>) {}

  async tryTake(id: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
    try {
      const doc = await this.collection.findOneAndUpdate(
        { _id: id, $or: [{ until: { $lt: now } }, { holder }] },
        { $set: { holder, until: new Date(now.getTime() + ttlMs) } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc?.holder === holder;
    } catch (error) {
      if ((error as { code?: unknown }).code === 11000) return false;
      throw error;
    }
  }

  async release(id: string, holder: string): Promise<void> {
    await this.collection.updateOne({ _id: id, holder }, { $set: { until: new Date(0) } });
  }
}
