import type { QueueManager } from '../manager/queue-manager';
import { readWithin } from './bounded-read';

/** checkHealth probes each component with its own 1 s limit (MongoDB reads after its ping); this bounds the whole answer. */
const HEALTH_DEADLINE_MS = 3_000;
/** Queue and DLQ stats are aggregations: allowed a little longer than a ping. */
const STATS_DEADLINE_MS = 2_000;
/** Default age after which a snapshot is read again (HEALTH_SNAPSHOT_MS). */
export const DEFAULT_SNAPSHOT_MAX_AGE_MS = 5_000;

type Health = Awaited<ReturnType<QueueManager['checkHealth']>>;
type QueueStats = Awaited<ReturnType<QueueManager['getQueueStats']>>;
type DlqStats = Awaited<ReturnType<QueueManager['getDLQStats']>>;

/** One reading of the queue's state; a part that failed or ran out of time is undefined. */
export interface QueueSnapshotReading {
  health: Health | undefined;
  /** Skipped (undefined) when MongoDB is down: they could only wait for a timeout. */
  queue: QueueStats | undefined;
  dlq: DlqStats | undefined;
  /** Epoch ms the reading started. */
  readAt: number;
}

/**
 * The health and figures /health/queue and /metrics serve, read at most once per `maxAgeMs`
 * whatever the number of requests: the readings are aggregations over the whole queue and DLQ, and
 * both endpoints answer without authentication. Requests that arrive while a reading runs share it.
 */
export class QueueSnapshot {
  private last: QueueSnapshotReading | undefined;
  private running: Promise<QueueSnapshotReading> | undefined;

  constructor(
    private readonly manager: QueueManager,
    readonly maxAgeMs: number = DEFAULT_SNAPSHOT_MAX_AGE_MS,
  ) {}

  /** The last reading while it is younger than maxAgeMs, else a new one (shared with concurrent callers). */
  async read(): Promise<QueueSnapshotReading> {
    if (this.last && Date.now() - this.last.readAt < this.maxAgeMs) return this.last;
    this.running ??= this.readNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async readNow(): Promise<QueueSnapshotReading> {
    const readAt = Date.now();
    const health = await readWithin(() => this.manager.checkHealth(), HEALTH_DEADLINE_MS);
    const mongoUp = health?.mongodb.status === 'connected';
    const [queue, dlq] = mongoUp
      ? await Promise.all([readWithin(() => this.manager.getQueueStats(), STATS_DEADLINE_MS), readWithin(() => this.manager.getDLQStats(), STATS_DEADLINE_MS)])
      : [undefined, undefined];
    this.last = { health, queue, dlq, readAt };
    return this.last;
  }
}
