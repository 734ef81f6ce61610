import { randomUUID } from 'node:crypto';
import { calculateObjectSize } from 'bson';
import type { QueueConfig } from '../config/queue-config';
import { bandRanges } from '../config/config-aliases';
import { DEFAULT_BACKOFF } from '../domain/backoff';
import type { JobRecord } from '../domain/job-record';
import { bandOf, priorityBounds } from '../domain/priority-band';
import { InvalidJobDataError, InvalidJobOptionsError, PayloadTooLargeError, PriorityOutOfRangeError } from '../errors';
import type { JobRegistry } from '../registry/job-registry';
import { newJobRecord } from '../storage/new-job-record';
import { jobOptionsSchema, type AddJobInput } from './job-input';

/**
 * Turns an addJob call into the document to insert, or throws a typed error naming the
 * problem. Pure: nothing is written until every check has passed.
 */
export function buildJobRecord(input: AddJobInput, registry: JobRegistry, config: QueueConfig, now: Date, by: string): JobRecord {
  const { data, ...options } = (input ?? {}) as AddJobInput;
  const parsedOptions = jobOptionsSchema.safeParse(options);
  if (!parsedOptions.success) {
    throw new InvalidJobOptionsError(parsedOptions.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`));
  }
  const opts = parsedOptions.data;
  const definition = registry.get(opts.type);

  const parsedData = definition.schema.safeParse(data);
  if (!parsedData.success) {
    throw new InvalidJobDataError(opts.type, parsedData.error.issues.map((i) => `${i.path.join('.') || 'data'}: ${i.message}`));
  }
  const payload = parsedData.data as unknown;
  const size = calculateObjectSize({ data: payload });
  if (size > config.limits.maxPayloadBytes) throw new PayloadTooLargeError(size, config.limits.maxPayloadBytes);

  const levels = bandRanges(config.batch.priorityLevels);
  const priority = opts.priority ?? definition.defaults?.priority ?? levels.NORMAL.min;
  const band = bandOf(priority, levels);
  if (!band) {
    const bounds = priorityBounds(levels);
    throw new PriorityOutOfRangeError(priority, bounds.min, bounds.max);
  }

  const backoff = opts.backoff ?? definition.defaults?.backoff ?? DEFAULT_BACKOFF;
  return newJobRecord(
    {
      jobId: opts.jobId ?? randomUUID(),
      queue: config.name,
      type: opts.type,
      data: payload,
      priority,
      band,
      lifo: opts.lifo ?? false,
      maxAttempts: opts.maxAttempts ?? definition.defaults?.maxAttempts ?? config.worker.maxRetries + 1,
      backoff: { ...backoff, delay: Math.round(backoff.delay * config.delayMultiplier) },
      timeoutMs: opts.timeoutMs ?? definition.defaults?.timeoutMs ?? config.worker.jobTimeout,
      runAt: resolveRunAt(opts.scheduledFor, opts.delay, config.delayMultiplier, now),
      by,
    },
    now,
  );
}

function resolveRunAt(scheduledFor: Date | string | number | undefined, delay: number | undefined, multiplier: number, now: Date): Date {
  if (scheduledFor !== undefined) {
    const at = scheduledFor instanceof Date ? scheduledFor : new Date(scheduledFor);
    if (Number.isNaN(at.getTime())) throw new InvalidJobOptionsError([`scheduledFor: not a valid date (${String(scheduledFor)})`]);
    // A time in the past means "now": the job is ready at once.
    const wait = Math.max(0, at.getTime() - now.getTime());
    return new Date(now.getTime() + Math.round(wait * multiplier));
  }
  return new Date(now.getTime() + Math.round((delay ?? 0) * multiplier));
}
