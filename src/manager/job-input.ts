import { z } from 'zod';
import { backoffSchema } from '../domain/backoff';
import type { JobDataFor } from '../domain/job-definition';

/** What addJob accepts; `data` is checked against the job type's own schema. */
export interface AddJobInput<T extends string = string> {
  type: T;
  data: JobDataFor<T>;
  priority?: number;
  maxAttempts?: number;
  /** Milliseconds before the job may run (scaled by delayMultiplier). */
  delay?: number;
  /** Earliest time the job may run; wins over `delay`. */
  scheduledFor?: Date | string | number;
  /** Caller-chosen id: a second add with the same id returns the existing job. */
  jobId?: string;
  /** Newest first within its priority. */
  lifo?: boolean;
  backoff?: z.infer<typeof backoffSchema>;
  timeoutMs?: number;
}

export interface AddJobResult {
  jobId: string;
  status: string;
  priority: number;
  band: string;
  runAt: Date;
  /** True when a job with this jobId already existed and nothing was added. */
  deduplicated: boolean;
}

/** The options part of AddJobInput (everything but data), validated before anything is written. */
export const jobOptionsSchema = z
  .object({
    type: z.string().min(1, 'type is required').max(200),
    priority: z.number().int('priority must be an integer').optional(),
    maxAttempts: z.number().int().min(1).max(1000).optional(),
    delay: z.number().int().min(0).max(365 * 86_400_000).optional(),
    scheduledFor: z.union([z.date(), z.string(), z.number()]).optional(),
    jobId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\s$][^\s]*$/, 'jobId must not contain spaces or start with $')
      .optional(),
    lifo: z.boolean().optional(),
    backoff: backoffSchema.optional(),
    timeoutMs: z.number().int().positive().max(7 * 86_400_000).optional(),
  })
  .strict();
