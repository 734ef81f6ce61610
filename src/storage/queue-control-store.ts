import type { Collection } from 'mongodb';

export interface QueueControlDocument {
  queue: string;
  paused: boolean;
  updatedAt: Date;
  updatedBy: string;
}

interface KnownState {
  paused: boolean;
  readAt: number;
}

/**
 * Per-queue switches every process obeys (pause/resume), kept in MongoDB so they survive Redis
 * loss and restarts. One store serves a manager and the queues derived from it, and remembers
 * what it last read or wrote: a switch flipped in this process holds here at once, workers
 * elsewhere read it again once their poll interval has passed.
 */
export class QueueControlStore {
  private readonly known = new Map<string, KnownState>();
  private readonly reading = new Map<string, Promise<boolean>>();

  constructor(readonly collection: Collection<QueueControlDocument>) {}

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ queue: 1 }, { unique: true, name: 'queue_unique' });
  }

  async setPaused(queue: string, paused: boolean, by: string, now: Date): Promise<void> {
    await this.collection.updateOne({ queue }, { $set: { paused, updatedAt: now, updatedBy: by } }, { upsert: true });
    this.known.set(queue, { paused, readAt: Date.now() });
  }

  /** The switch, read from MongoDB unless what this store knows is younger than `maxAgeMs`. */
  async isPaused(queue: string, maxAgeMs = 0): Promise<boolean> {
    const known = this.known.get(queue);
    if (known && Date.now() - known.readAt < maxAgeMs) return known.paused;
    // Workers of one process asking at once share one read.
    let read = this.reading.get(queue);
    if (!read) {
      read = this.collection
        .findOne({ queue }, { projection: { paused: 1 } })
        .then((doc) => {
          const paused = doc?.paused === true;
          this.known.set(queue, { paused, readAt: Date.now() });
          return paused;
        })
        .finally(() => this.reading.delete(queue));
      this.reading.set(queue, read);
    }
    return read;
  }

  /** What this store last read or wrote (false when it never has), without I/O. */
  lastKnown(queue: string): boolean {
    return this.known.get(queue)?.paused ?? false;
  }
}
