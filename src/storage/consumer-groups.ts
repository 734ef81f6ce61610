import { hostname } from 'node:os';
import type { Collection } from 'mongodb';

export interface ConsumerGroupDocument {
  queue: string;
  group: string;
  maxRetries: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ConsumerDocument {
  queue: string;
  group: string;
  consumerId: string;
  hostname: string;
  pid: number;
  startedAt: Date;
  heartbeatAt: Date;
}

/**
 * Consumer groups of named queues, registered in MongoDB so every process sees them. A group
 * exists from its first consume() on and keeps receiving messages (like a durable subscription);
 * its consumers prove they are alive with heartbeats.
 */
export class ConsumerGroups {
  constructor(
    readonly groups: Collection<ConsumerGroupDocument>,
    readonly consumers: Collection<ConsumerDocument>,
  ) {}

  async ensureIndexes(): Promise<void> {
    await this.groups.createIndex({ queue: 1, group: 1 }, { unique: true, name: 'queue_group_unique' });
    await this.consumers.createIndex({ queue: 1, group: 1, consumerId: 1 }, { unique: true, name: 'consumer_unique' });
    // Consumers that stopped heartbeating an hour ago are removed by MongoDB itself.
    await this.consumers.createIndex({ heartbeatAt: 1 }, { expireAfterSeconds: 3600, name: 'consumer_ttl' });
  }

  /** Registers the group (or updates its retry setting); the latest consume() call's maxRetries wins. */
  async register(queue: string, group: string, maxRetries: number, now: Date): Promise<void> {
    await this.groups.updateOne({ queue, group }, { $set: { maxRetries, updatedAt: now }, $setOnInsert: { createdAt: now } }, { upsert: true });
  }

  async list(queue: string): Promise<ConsumerGroupDocument[]> {
    return this.groups.find({ queue }).sort({ group: 1 }).toArray();
  }

  async heartbeat(queue: string, group: string, consumerId: string, startedAt: Date, now: Date): Promise<void> {
    await this.consumers.updateOne(
      { queue, group, consumerId },
      { $set: { heartbeatAt: now }, $setOnInsert: { hostname: hostname(), pid: process.pid, startedAt } },
      { upsert: true },
    );
  }

  async leave(queue: string, consumerId: string): Promise<void> {
    await this.consumers.deleteMany({ queue, consumerId });
  }

  /** Live consumers per group: a heartbeat newer than `since`. */
  async liveConsumers(queue: string, since: Date): Promise<Map<string, number>> {
    const rows = await this.consumers
      .aggregate<{ _id: string; n: number }>([{ $match: { queue, heartbeatAt: { $gte: since } } }, { $group: { _id: '$group', n: { $sum: 1 } } }])
      .toArray();
    return new Map(rows.map((r) => [r._id, r.n]));
  }
}
