import type { z } from 'zod';
import type { Logger } from 'pino';
import type { BackoffOptions } from './backoff';
import type { PriorityBand } from './priority-band';

/** What a handler sees besides its data. */
export interface JobContext {
  jobId: string;
  type: string;
  queue: string;
  /** 1 for the first attempt. */
  attempt: number;
  maxAttempts: number;
  priority: number;
  band: PriorityBand;
  createdAt: Date;
  workerId: string;
  logger: Logger;
  /** Fires on timeout and on shutdown past the grace period; pass it to fetch, streams, timers. */
  signal: AbortSignal;
  /** Records progress (0–100, or any JSON object) on the job; errors are logged, never thrown. */
  reportProgress(progress: number | Record<string, unknown>): Promise<void>;
}

export interface JobDefaults {
  priority?: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoff?: BackoffOptions;
}

/** One job type: its name, the zod schema of its data, defaults and the handler. */
export interface JobDefinition<TSchema extends z.ZodType = z.ZodType, TResult = unknown> {
  type: string;
  description?: string;
  schema: TSchema;
  defaults?: JobDefaults;
  handle(data: z.output<TSchema>, context: JobContext): Promise<TResult>;
}

/** Identity helper that keeps the handler's data type tied to its schema. */
export function defineJob<TSchema extends z.ZodType, TResult>(
  definition: JobDefinition<TSchema, TResult>,
): JobDefinition<TSchema, TResult> {
  return definition;
}

/**
 * Payload types by job type name. Job modules add their entry by declaration merging:
 * `declare module '.../job-definition' { interface JobTypeMap { my_type: MyData } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface JobTypeMap {}

/** The data type of a job type: its registered payload type, or unknown for unregistered names. */
export type JobDataFor<T extends string> = T extends keyof JobTypeMap ? JobTypeMap[T] : unknown;
