import { z } from 'zod';
import type { Logger } from 'pino';
import type { QueueConfigInput } from '../config/queue-config';
import { InvalidJobOptionsError } from '../errors';
import type { QueueManager } from '../manager/queue-manager';
import { queueNameSchema } from '../queues/enqueue-options';

/** Retry delay in milliseconds: `fixed` waits `delay` after each failure, `exponential` 2^(attempt-1) × `delay`. */
export interface JobBackoff {
  type: 'exponential' | 'fixed';
  delay: number;
}

/** A repeat rule: a cron `pattern` (5 fields, or 6 with seconds first; optional time zone) or `every` N milliseconds. */
export type JobRepeat = { pattern: string; tz?: string } | { every: number };

/** Options of one enqueue (BullMQ's names and units: milliseconds). */
export interface JobOptions {
  /** 1 is the most urgent, 100 the least; none runs ahead of every prioritised job. */
  priority?: number;
  /** Runs in all, the first included (default: the queue's defaultJobOptions.attempts). */
  attempts?: number;
  backoff?: JobBackoff;
  /** Milliseconds before the job may run. */
  delay?: number;
  /** Newest first among jobs of its priority. */
  lifo?: boolean;
  /** Your id: enqueueing an id that exists returns it and adds nothing. */
  jobId?: string;
  /** Makes this a repeatable job: a run per tick instead of one run. */
  repeat?: JobRepeat;
}

/** Retries every job gets unless it says otherwise. */
export interface DefaultJobOptions {
  attempts?: number;
  backoff?: JobBackoff;
}

export interface JobQueueOptions {
  /** The named queue the jobs live in (letters, digits and _ . : -). */
  name: string;
  /** Named queue that receives a message for each job whose attempts are spent. */
  deadLetterQueueName?: string;
  workerOptions?: { concurrency?: number };
  /** Default: 3 attempts, exponential backoff from 1 s (as documented). */
  defaultJobOptions?: DefaultJobOptions;
  /** A started manager to run on; it stays open after shutdown(). Without one, the connections come from the environment. */
  manager?: QueueManager;
  /** Overrides of the environment's configuration when no manager is given. */
  config?: Partial<QueueConfigInput>;
  logger?: Logger;
  /** How often dead jobs are looked for and forwarded to the dead-letter queue (default: the manager's poll interval). */
  deadLetterScanIntervalMs?: number;
  /** How long shutdown() lets running jobs finish before aborting them (default: worker.shutdownTimeout). */
  shutdownGraceMs?: number;
}

/** Largest attempts of one job: the named queues' bound. */
const MAX_ATTEMPTS = 101;
const MAX_DELAY_MS = 366 * 86_400_000;

export const backoffSchema = z
  .object({
    type: z.enum(['exponential', 'fixed']),
    delay: z.number().int().min(0).max(7 * 86_400_000),
  })
  .strict();

const attemptsSchema = z.number().int().min(1).max(MAX_ATTEMPTS);

const repeatSchema = z.union([
  z.object({ pattern: z.string().min(1), tz: z.string().min(1).optional() }).strict(),
  z.object({ every: z.number().int().min(1).max(MAX_DELAY_MS) }).strict(),
]);

export const jobOptionsSchema = z
  .object({
    // Range and meaning are checked by toQueuePriority, with its own error.
    priority: z.number().optional(),
    attempts: attemptsSchema.optional(),
    backoff: backoffSchema.optional(),
    delay: z.number().int().min(0).max(MAX_DELAY_MS).optional(),
    lifo: z.boolean().optional(),
    jobId: z.string().min(1).max(200).optional(),
    repeat: repeatSchema.optional(),
  })
  .strict();

/** The documented defaults: retries with exponential backoff unless a job says otherwise. */
export const DEFAULT_JOB_OPTIONS = { attempts: 3, backoff: { type: 'exponential', delay: 1_000 } } as const satisfies Required<DefaultJobOptions>;

const queueOptionsSchema = z
  .object({
    name: queueNameSchema,
    deadLetterQueueName: queueNameSchema.optional(),
    workerOptions: z.object({ concurrency: z.number().int().min(1).max(1000).optional() }).strict().optional(),
    defaultJobOptions: z.object({ attempts: attemptsSchema.optional(), backoff: backoffSchema.optional() }).strict().optional(),
    deadLetterScanIntervalMs: z.number().int().min(10).max(3_600_000).optional(),
    shutdownGraceMs: z.number().int().min(0).max(3_600_000).optional(),
  })
  .refine((o) => o.deadLetterQueueName !== o.name, { message: 'deadLetterQueueName must differ from name', path: ['deadLetterQueueName'] });

export interface ResolvedJobQueueOptions {
  name: string;
  deadLetterQueueName?: string;
  concurrency?: number;
  defaults: Required<DefaultJobOptions>;
  deadLetterScanIntervalMs?: number;
  shutdownGraceMs?: number;
}

function problems(error: z.ZodError, what: string): string[] {
  return error.issues.map((i) => `${what}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`);
}

/** Validates the constructor's options once (manager, config and logger are checked where they are used). */
export function resolveJobQueueOptions(options: JobQueueOptions): ResolvedJobQueueOptions {
  const { manager: _manager, config: _config, logger: _logger, ...checked } = options ?? ({} as JobQueueOptions);
  const parsed = queueOptionsSchema.safeParse(checked);
  if (!parsed.success) throw new InvalidJobOptionsError(problems(parsed.error, 'JobQueue'));
  const o = parsed.data;
  return {
    name: o.name,
    deadLetterQueueName: o.deadLetterQueueName,
    concurrency: o.workerOptions?.concurrency,
    defaults: { attempts: o.defaultJobOptions?.attempts ?? DEFAULT_JOB_OPTIONS.attempts, backoff: o.defaultJobOptions?.backoff ?? DEFAULT_JOB_OPTIONS.backoff },
    deadLetterScanIntervalMs: o.deadLetterScanIntervalMs,
    shutdownGraceMs: o.shutdownGraceMs,
  };
}

export function parseJobOptions(options: JobOptions | undefined): JobOptions {
  const parsed = jobOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new InvalidJobOptionsError(problems(parsed.error, 'enqueue'));
  return parsed.data;
}
