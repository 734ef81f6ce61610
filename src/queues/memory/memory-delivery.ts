import type { MessageBackoff } from '../../queue-api/queue-api';

/** One enqueued message: stored once, delivered once per consumer group. */
export interface StoredMessage<T> {
  readonly id: string;
  /** A private deep copy: callers mutating their object after enqueue change nothing. */
  readonly data: T;
  readonly priority: number;
  readonly lifo: boolean;
  /** Enqueue time (ms). */
  readonly timestamp: number;
  /** When the message may first run (enqueue time plus its scaled startDelay). */
  readonly dueAt: number;
  /** The message's own attempts and backoff (absent: its group's settings). */
  readonly attempts?: number;
  readonly backoff?: MessageBackoff;
  /** True until a consumer group exists to adopt it. */
  unassigned: boolean;
  /** Deliveries by group name; a message with none left (and not unassigned) is forgotten. */
  readonly deliveries: Map<string, Delivery<T>>;
  /** Deliveries neither completed nor failed: the message counts toward maxQueueSize while > 0. */
  unfinished: number;
}

export type DeliveryState = 'waiting' | 'delayed' | 'processing' | 'completed' | 'failed';

/** A message's life in one consumer group. */
export interface Delivery<T> {
  readonly message: StoredMessage<T>;
  readonly group: string;
  state: DeliveryState;
  /** Attempts started by this group (the running one included). */
  attempts: number;
  /** When it became (or becomes) ready: ordering key within a priority, and due time while delayed. */
  readyAt: number;
  /** Tie-breaker for equal readyAt: the order deliveries were queued in. */
  seq: number;
  finishedAt?: number;
  lastError?: string;
}

/**
 * Ready order of one group: higher priority first; within a priority, LIFO messages ahead of
 * FIFO ones (they jump the line, newest first), FIFO ones oldest-ready first.
 */
export function readyBefore<T>(a: Delivery<T>, b: Delivery<T>): boolean {
  if (a.message.priority !== b.message.priority) return a.message.priority > b.message.priority;
  if (a.message.lifo !== b.message.lifo) return a.message.lifo;
  const older = a.readyAt - b.readyAt || a.seq - b.seq;
  return a.message.lifo ? older > 0 : older < 0;
}

/** Delayed order: earliest due first. */
export function dueBefore<T>(a: Delivery<T>, b: Delivery<T>): boolean {
  return (a.readyAt - b.readyAt || a.seq - b.seq) < 0;
}
