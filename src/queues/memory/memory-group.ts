import type { ConsumerGroupStats, QueueHandler } from '../../queue-api/queue-api';
import { pastRetention } from '../../storage/retention';
import type { RetentionRule } from '../../domain/retention-rule';
import { readyBefore, type Delivery } from './memory-delivery';
import { JobHeap } from './memory-job-heap';

/** One consume() subscription: its handler and its own limits. */
export interface MemoryConsumer<T> {
  readonly handler: QueueHandler<T>;
  readonly concurrency: number;
  running: number;
}

/** A consumer group's share of the queue: its consumers, ready deliveries and finished ones. */
export class MemoryConsumerGroup<T> {
  readonly consumers: MemoryConsumer<T>[] = [];
  /** Retries after a failed attempt: one value per group (the latest consume() call's), as in the engine backend. */
  maxRetries = 3;
  readonly ready = new JobHeap<Delivery<T>>(readyBefore);
  /** Deliveries of this group in the queue's delayed heap (startDelay or retry backoff). */
  delayed = 0;
  processing = 0;
  /** Finished deliveries in finish order, so retention drops from the front. */
  private readonly completed: Delivery<T>[] = [];
  private readonly failed: Delivery<T>[] = [];
  private turn = 0;

  constructor(readonly name: string) {}

  /** The next consumer with a free slot, round robin so the group's consumers compete fairly. */
  freeConsumer(): MemoryConsumer<T> | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i += 1) {
      const consumer = this.consumers[(this.turn + i) % count];
      if (consumer.running < consumer.concurrency) {
        this.turn = (this.turn + i + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  recordFinished(delivery: Delivery<T>): void {
    (delivery.state === 'completed' ? this.completed : this.failed).push(delivery);
  }

  /** Drops finished deliveries retention no longer keeps; returns them so their messages can be forgotten. */
  prune(now: number, rule: RetentionRule): Delivery<T>[] {
    const dropped: Delivery<T>[] = [];
    while (this.completed.length > rule.completedMaxCount || isExpired(this.completed[0], now, rule.completedMaxAgeMs)) {
      dropped.push(this.completed.shift() as Delivery<T>);
    }
    while (isExpired(this.failed[0], now, rule.failedMaxAgeMs)) {
      dropped.push(this.failed.shift() as Delivery<T>);
    }
    return dropped;
  }

  stats(): ConsumerGroupStats {
    return {
      name: this.name,
      consumers: this.consumers.length,
      pending: this.ready.size + this.delayed,
      processing: this.processing,
      completed: this.completed.length,
      failed: this.failed.length,
    };
  }
}

function isExpired<T>(delivery: Delivery<T> | undefined, now: number, maxAgeMs: number): boolean {
  return delivery !== undefined && pastRetention(delivery.finishedAt ?? now, now, maxAgeMs);
}
