import type { Collection } from 'mongodb';

export interface QueueControlDocument {
  queue: string;
  paused: boolean;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * Per-queue switches every process obeys (pause/resume), kept in MongoDB so they survive Redis
 * loss and restarts. Workers read them once per poll interval.
 */
export class QueueControlStore {
  constructor(readonly collection: Collection<QueueControlDocument>) {}

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ queue: 1 }, { unique: true, name: 'queue_unique' });
  }

  async setPaused(queue: string, paused: boolean, by: string, now: Date): Promise<void> {
    await this.collection.updateOne({ queue }, { $set: { paused, updatedAt: now, updatedBy: by } }, { upsert: true });
  }

  async isPaused(queue: string): Promise<boolean> {
    const doc = await this.collection.findOne({ queue }, { projection: { paused: 1 } });
    return doc?.paused === true;
  }
}
