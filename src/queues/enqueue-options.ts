import { z } from 'zod';
import { InvalidJobOptionsError } from '../errors';
import type { ConsumeOptions, EnqueueOptions, RecurringOptions } from '../queue-api/queue-api';
import { QUEUE_PRIORITY } from './retention';

/** Same bound as a group's maxRetries (100) plus the first attempt. */
const MAX_MESSAGE_ATTEMPTS = 101;

const jobIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s$][^\s]*$/, 'must not contain spaces or start with $');

export const queueNameSchema = z.string().min(1).max(80).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

const enqueueOptionsSchema = z
  .object({
    priority: z.number().int().min(QUEUE_PRIORITY.min).max(QUEUE_PRIORITY.max).optional(),
    startDelay: z.number().min(0).max(366 * 86_400).optional(),
    jobId: jobIdSchema.optional(),
    lifo: z.boolean().optional(),
    attempts: z.number().int().min(1).max(MAX_MESSAGE_ATTEMPTS).optional(),
    backoff: z
      .object({
        type: z.enum(['exponential', 'fixed']),
        delaySeconds: z.number().min(0).max(7 * 86_400),
      })
      .strict()
      .optional(),
  })
  .strict();

const consumeOptionsSchema = z
  .object({
    consumerGroup: z.string().min(1).max(80).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only'),
    maxRetries: z.number().int().min(0).max(100).optional(),
    concurrency: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

const recurringOptionsSchema = z
  .object({
    startDelay: z.number().min(0).max(366 * 86_400).optional(),
    priority: z.number().int().min(QUEUE_PRIORITY.min).max(QUEUE_PRIORITY.max).optional(),
  })
  .strict();

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new InvalidJobOptionsError(parsed.error.issues.map((i) => `${what}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`));
  return parsed.data;
}

/** Validated enqueue options (throws InvalidJobOptionsError naming each problem). */
export const parseEnqueueOptions = (options: EnqueueOptions | undefined): EnqueueOptions => parse(enqueueOptionsSchema, options, 'enqueue');
export const parseConsumeOptions = (options: ConsumeOptions): ConsumeOptions => parse(consumeOptionsSchema, options, 'consume');
export const parseRecurringOptions = (options: RecurringOptions | undefined): RecurringOptions => parse(recurringOptionsSchema, options, 'scheduleRecurring');
export const parseJobId = (jobId: string): string => parse(jobIdSchema, jobId, 'jobId');
