import { createHash } from 'node:crypto';
import type { RecurringSchedule } from '../queue-api/queue-api';
import type { JobRepeat } from './job-queue-options';

/** The named queue's schedule of a repeat rule: `every` milliseconds become seconds; a pattern stays a cron. */
export function toRecurringSchedule(repeat: JobRepeat): RecurringSchedule {
  if ('every' in repeat) return repeat.every / 1000;
  return repeat.tz === undefined ? { cron: repeat.pattern } : { cron: repeat.pattern, timezone: repeat.tz };
}

/**
 * The id of a repeatable job without a jobId: derived from the rule, so adding the same rule
 * twice replaces the schedule (with the latest data) instead of running it twice.
 */
export function repeatId(repeat: JobRepeat): string {
  const rule = 'every' in repeat ? `every:${repeat.every}` : `cron:${repeat.pattern}:${repeat.tz ?? ''}`;
  return `repeat:${createHash('sha256').update(rule).digest('hex').slice(0, 16)}`;
}
