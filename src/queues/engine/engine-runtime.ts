import { calculateObjectSize } from 'bson';
import type { CachedJob } from '../../cache/batch-cache';
import { JobStatus } from '../../domain/job-status';
import { PayloadTooLargeError } from '../../errors';
import { orderKeyFor } from '../../storage/job-store';
import type { MessageBackoff } from '../../queue-api/queue-api';
import { pruneFinishedJobs } from '../../storage/retention';
import { retentionRuleOf, type RetentionPolicy } from '../retention';
import type { ConsumerGroups, ConsumerGroupDocument } from '../../storage/consumer-groups';
import { buildDelivery, deliveryJobId, deliveryQueueName } from './delivery';
import type { DeliveryQueue, EngineHost } from './engine-host';
import { UNDELIVERED_REPAIR_AGE_MS, type MessageDocument, type MessageStore } from '../../storage/message-store';
import type { RecurringStore } from '../../storage/recurring-store';

/** Messages handled per repair or retention pass. */
const PASS_LIMIT = 500;

export interface NewMessage {
  queue: string;
  messageId: string;
  data: unknown;
  priority: number;
  lifo: boolean;
  delayMs: number;
  attempts?: number;
  backoff?: MessageBackoff;
}

/**
 * What every named queue of one QueueManager shares on the engine backend: the stores of
 * messages, groups and schedules, and one delivery queue per (queue, group) to offer deliveries
 * to Redis. Writes follow the engine's rule: MongoDB first, each step idempotent, so a crash
 * between two steps is repaired by the next pass.
 */
export class EngineRuntime {
  readonly messages: MessageStore;
  readonly groups: ConsumerGroups;
  readonly recurring: RecurringStore;
  private readonly offerQueues = new Map<string, DeliveryQueue>();
  private indexes: Promise<void> | undefined;

  constructor(readonly host: EngineHost) {
    this.messages = host.stores.messages;
    this.groups = host.stores.groups;
    this.recurring = host.stores.recurring;
  }

  /** Creates the collections' indexes once per runtime. */
  ready(): Promise<void> {
    const indexes = (this.indexes ??= Promise.all([this.messages.ensureIndexes(), this.groups.ensureIndexes(), this.recurring.ensureIndexes()]).then(() => undefined));
    // A failure (MongoDB unreachable) is not remembered: the next call tries again.
    indexes.catch(() => {
      if (this.indexes === indexes) this.indexes = undefined;
    });
    return indexes;
  }

  /** The delivery queue one group's deliveries are offered through (on the host's connections). */
  private offerQueue(queue: string, group: string): DeliveryQueue {
    const name = deliveryQueueName(queue, group);
    let delivery = this.offerQueues.get(name);
    if (!delivery) {
      delivery = this.host.deliveryQueue(name, { controlQueue: controlName(queue) });
      this.offerQueues.set(name, delivery);
    }
    return delivery;
  }

  /** Stores a message and its deliveries to the groups that exist now; returns false for a duplicate id. */
  async enqueue(message: NewMessage, delayMultiplier: number): Promise<boolean> {
    const limit = this.host.config.limits.maxPayloadBytes;
    const size = calculateObjectSize({ data: message.data });
    if (size > limit) throw new PayloadTooLargeError(size, limit);
    const now = new Date();
    const runAt = new Date(now.getTime() + Math.round(message.delayMs * delayMultiplier));
    const groups = await this.groups.list(message.queue);
    const doc: MessageDocument = {
      queue: message.queue,
      messageId: message.messageId,
      data: message.data,
      priority: message.priority,
      lifo: message.lifo,
      orderKey: orderKeyFor(runAt, message.lifo),
      runAt,
      createdAt: now,
      groups: groups.map((g) => g.group),
      delivered: false,
      ...(message.attempts !== undefined ? { attempts: message.attempts } : {}),
      ...(message.backoff !== undefined ? { backoff: message.backoff } : {}),
    };
    if (!(await this.messages.insert(doc))) return false;
    if (groups.length > 0) await this.deliver([doc], groups, delayMultiplier);
    return true;
  }

  /**
   * Writes the deliveries of messages of one queue (a delivery that exists already is skipped: idempotent),
   * offers the ready ones to Redis, then marks the messages delivered.
   */
  async deliver(messages: MessageDocument[], groups: ConsumerGroupDocument[], delayMultiplier: number): Promise<void> {
    if (messages.length === 0) return;
    const now = new Date();
    const byName = new Map(groups.map((g) => [g.group, g]));
    const timeoutMs = this.host.config.worker.jobTimeout;
    const queue = messages[0].queue;
    const planned = messages.flatMap((m) =>
      m.groups.map((group) => ({ group, record: buildDelivery(m, group, { maxRetries: byName.get(group)?.maxRetries ?? 3, delayMultiplier, timeoutMs }, now) })),
    );
    const duplicates = await this.host.jobs.enqueue(planned.map((p) => p.record));
    const readyByGroup = new Map<string, CachedJob[]>();
    planned.forEach(({ group, record }, i) => {
      if (duplicates.has(i) || record.status !== JobStatus.Pending) return;
      const ready = readyByGroup.get(group) ?? [];
      ready.push({ jobId: record.jobId, priority: record.priority, band: record.band, orderKey: record.orderKey });
      readyByGroup.set(group, ready);
    });
    await Promise.all(
      [...readyByGroup].map(([group, ready]) => this.offerQueue(queue, group).offer(ready)),
    );
    await this.messages.markDelivered(queue, messages.map((m) => m.messageId));
  }

  /**
   * Messages still owed deliveries: those enqueued while the queue had no group go to the groups
   * that exist now; those whose writer crashed before delivering are delivered again.
   */
  async deliverWaiting(queue: string, delayMultiplier: number): Promise<number> {
    const waiting = await this.messages.findUndelivered(queue, PASS_LIMIT);
    if (waiting.length === 0) return 0;
    const groups = await this.groups.list(queue);
    const names = groups.map((g) => g.group);
    const staleBefore = Date.now() - UNDELIVERED_REPAIR_AGE_MS;
    const due: MessageDocument[] = [];
    for (const message of waiting) {
      if (message.groups.length === 0) {
        if (names.length > 0 && (await this.messages.assignGroups(message, names))) due.push({ ...message, groups: names });
      } else if (message.createdAt.getTime() < staleBefore) {
        due.push(message);
      }
    }
    await this.deliver(due, groups, delayMultiplier);
    return due.length;
  }

  /**
   * Retention of one queue: completed deliveries beyond the newest maxCount per group or older
   * than their age limit, failed ones older than theirs; then messages none of whose deliveries
   * remain (their jobId may be enqueued again).
   */
  async prune(queue: string, retention: RetentionPolicy, now: Date): Promise<number> {
    const groups = await this.groups.list(queue);
    const rule = retentionRuleOf(retention);
    let removed = 0;
    for (const { group } of groups) {
      const pruned = await pruneFinishedJobs(this.host.jobs, deliveryQueueName(queue, group), rule, now, { limit: PASS_LIMIT });
      removed += pruned.completed + pruned.failed;
    }
    // Oldest first: their deliveries are the first to go, by age and by count.
    const candidates = await this.messages.findDeliveredBefore(queue, now, PASS_LIMIT);
    if (candidates.length > 0) {
      const remaining = await this.host.reads.existingJobIds(candidates.flatMap((m) => m.groups.map((g) => deliveryJobId(queue, g, m.messageId))));
      const gone = candidates.filter((m) => m.groups.every((g) => !remaining.has(deliveryJobId(queue, g, m.messageId))));
      await this.messages.deleteMany(queue, gone.map((m) => m.messageId));
    }
    return removed;
  }

  async close(): Promise<void> {
    this.offerQueues.clear();
  }
}

/** The pause switch of a named queue (never the same key as an engine queue's). */
export function controlName(queue: string): string {
  return `named:${queue}`;
}
