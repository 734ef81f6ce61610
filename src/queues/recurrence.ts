import { CronExpressionParser } from 'cron-parser';
import { InvalidJobOptionsError } from '../errors';
import type { RecurringJobDetails as RecurringJobInfo, RecurringSchedule } from '../queue-api/queue-api';

export type NormalizedSchedule = RecurringJobInfo['schedule'];

/** Longest accepted interval: one year. */
const MAX_INTERVAL_SECONDS = 366 * 86_400;

/** Checks a schedule (interval seconds, or a cron expression the cron library accepts). */
export function normalizeSchedule(schedule: RecurringSchedule): NormalizedSchedule {
  if (typeof schedule === 'number') {
    if (!Number.isFinite(schedule) || schedule <= 0 || schedule > MAX_INTERVAL_SECONDS) {
      throw new InvalidJobOptionsError([`interval: must be a number of seconds in (0, ${MAX_INTERVAL_SECONDS}], got ${schedule}`]);
    }
    return { kind: 'interval', intervalSeconds: schedule };
  }
  const expression = typeof schedule?.cron === 'string' ? schedule.cron.trim() : '';
  if (!expression) throw new InvalidJobOptionsError(['schedule: give an interval in seconds or { cron: "<expression>" }']);
  try {
    CronExpressionParser.parse(expression, { tz: schedule.timezone, strict: false }).next();
  } catch (error) {
    throw new InvalidJobOptionsError([`cron: "${expression}" is not a valid cron expression (${(error as Error).message})`]);
  }
  return { kind: 'cron', expression, ...(schedule.timezone ? { timezone: schedule.timezone } : {}) };
}

/** The first tick: after startDelay (or one interval) for intervals, the next cron match for cron. */
export function firstRunAt(schedule: NormalizedSchedule, now: Date, delayMultiplier: number, startDelaySeconds?: number): Date {
  if (schedule.kind === 'interval') {
    const delaySeconds = startDelaySeconds ?? schedule.intervalSeconds;
    return new Date(now.getTime() + Math.round(delaySeconds * 1000 * delayMultiplier));
  }
  return nextCronMatch(schedule, now);
}

/**
 * The tick after `due`, once `due` has fired. Missed ticks are not replayed: when the process (or
 * every process) was down across several ticks, the overdue tick fires once and the next one is
 * the first tick after `now`. Interval ticks stay on their wall-clock grid (due + k·interval), so
 * runs may overlap when a handler takes longer than the interval.
 */
export function nextRunAfter(schedule: NormalizedSchedule, due: Date, now: Date, delayMultiplier: number): Date {
  if (schedule.kind === 'interval') {
    const step = Math.max(1, Math.round(schedule.intervalSeconds * 1000 * delayMultiplier));
    const behind = Math.max(0, now.getTime() - due.getTime());
    return new Date(due.getTime() + (Math.floor(behind / step) + 1) * step);
  }
  return nextCronMatch(schedule, new Date(Math.max(due.getTime(), now.getTime())));
}

function nextCronMatch(schedule: Extract<NormalizedSchedule, { kind: 'cron' }>, after: Date): Date {
  return CronExpressionParser.parse(schedule.expression, { currentDate: after, tz: schedule.timezone }).next().toDate();
}

/** The id of one tick's job: the same for every process, so a tick enqueues at most one job. */
export function tickJobId(scheduleId: string, due: Date): string {
  return `${scheduleId}@${due.toISOString()}`;
}
