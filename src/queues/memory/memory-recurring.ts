import type { Logger } from 'pino';
import { parseJobId, parseRecurringOptions } from '../enqueue-options';
import type { RecurringJobDetails as RecurringJobInfo, RecurringOptions, RecurringSchedule } from '../../queue-api/queue-api';
import { firstRunAt, nextRunAfter, normalizeSchedule, tickJobId } from '../recurrence';
import { QUEUE_PRIORITY } from '../retention';
import { copyData } from './memory-clone';
import { setTimerAt, type TimerHandle } from './memory-timer';

/** What a schedule needs from its queue. */
export interface RecurringHost<T> {
  readonly queue: string;
  readonly delayMultiplier: number;
  readonly logger: Logger;
  enqueueTick(data: T, jobId: string, priority: number): Promise<unknown>;
}

interface Schedule<T> {
  info: RecurringJobInfo;
  data: T;
  timer?: TimerHandle;
  /** Its tick came due while polling was off: fire it once when polling resumes. */
  missed: boolean;
}

/** Recurring schedules of one queue, each driven by its own unref'd timer. */
export class MemoryRecurring<T> {
  private readonly schedules = new Map<string, Schedule<T>>();
  private polling = true;
  private stopped = false;

  constructor(private readonly host: RecurringHost<T>) {}

  /** Creates or replaces a schedule (the old timer is cancelled; createdAt, runCount and lastRunAt carry over). */
  schedule(jobId: string, data: T, schedule: RecurringSchedule, options?: RecurringOptions): RecurringJobInfo {
    const id = parseJobId(jobId);
    const { startDelay, priority = QUEUE_PRIORITY.default } = parseRecurringOptions(options);
    const normalized = normalizeSchedule(schedule);
    const now = new Date();
    const previous = this.schedules.get(id);
    previous?.timer?.cancel();
    const entry: Schedule<T> = {
      data: copyData(data),
      missed: false,
      info: {
        jobId: id,
        queue: this.host.queue,
        data: undefined,
        schedule: normalized,
        priority,
        nextRunAt: firstRunAt(normalized, now, this.host.delayMultiplier, startDelay),
        lastRunAt: previous?.info.lastRunAt ?? null,
        runCount: previous?.info.runCount ?? 0,
        createdAt: previous?.info.createdAt ?? now,
      },
    };
    this.schedules.set(id, entry);
    this.arm(entry);
    return this.describe(entry);
  }

  cancel(jobId: string): boolean {
    const entry = this.schedules.get(jobId);
    entry?.timer?.cancel();
    return this.schedules.delete(jobId);
  }

  list(): RecurringJobInfo[] {
    return [...this.schedules.values()].sort((a, b) => (a.info.jobId < b.info.jobId ? -1 : a.info.jobId > b.info.jobId ? 1 : 0)).map((entry) => this.describe(entry));
  }

  details(jobId: string): RecurringJobInfo | null {
    const entry = this.schedules.get(jobId);
    return entry ? this.describe(entry) : null;
  }

  /** Off: due ticks are held back; on: each held-back tick fires once (missed ticks are not replayed). */
  setPolling(active: boolean): void {
    this.polling = active;
    if (!active || this.stopped) return;
    for (const entry of this.schedules.values()) {
      if (entry.missed) this.tick(entry);
    }
  }

  /** For good: schedules stay listed, but no timer fires again. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.schedules.values()) entry.timer?.cancel();
  }

  private arm(entry: Schedule<T>): void {
    if (this.stopped) return;
    entry.timer = setTimerAt(entry.info.nextRunAt.getTime(), () => {
      if (this.schedules.get(entry.info.jobId) !== entry || this.stopped) return;
      if (this.polling) this.tick(entry);
      else entry.missed = true;
    });
  }

  private tick(entry: Schedule<T>): void {
    const { info } = entry;
    const due = info.nextRunAt;
    entry.missed = false;
    info.runCount += 1;
    info.lastRunAt = due;
    info.nextRunAt = nextRunAfter(info.schedule, due, new Date(), this.host.delayMultiplier);
    this.arm(entry);
    this.host.enqueueTick(entry.data, tickJobId(info.jobId, due), info.priority).catch((error: unknown) => {
      this.host.logger.warn({ queue: this.host.queue, jobId: info.jobId, err: (error as Error).message }, 'recurring tick could not enqueue');
    });
  }

  /** A copy, so callers cannot change the schedule by mutating what they were given. */
  private describe(entry: Schedule<T>): RecurringJobInfo {
    const { info } = entry;
    return {
      ...info,
      data: copyData(entry.data),
      schedule: { ...info.schedule },
      nextRunAt: new Date(info.nextRunAt),
      lastRunAt: info.lastRunAt && new Date(info.lastRunAt),
      createdAt: new Date(info.createdAt),
    };
  }
}
