import type { z } from 'zod';
import type { Logger } from 'pino';
import type Redis from 'ioredis';
import type { Connection } from 'mongoose';
import type { BackoffOptions } from './backoff';
import type { PriorityBand } from './priority-band';
import type { QueueRetention } from './retention-rule';

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
  /** The queue's own connections and operations, for handlers that read or write them. */
  services: JobServices;
}

/** What the queue lends to handlers (and to application job types). */
export interface JobServices {
  /** The queue's MongoDB connection (its database holds jobs, DLQ and whatever handlers keep). */
  mongo: Connection;
  /** The queue's Redis client; null while Redis is unreachable. */
  redis: Redis | null;
  /** A Redis key under the queue's namespace for cached values (cache_warm). */
  cacheKey(name: string): string;
  /** Adds another job (e.g. a notification enqueuing an email). */
  enqueue(input: { type: string; data: unknown; priority?: number; jobId?: string; delay?: number }): Promise<{ jobId: string; deduplicated: boolean }>;
  /** Retention of this queue's finished jobs and DLQ entries. */
  retention: QueueRetention;
  /** Resolved queue settings (namespace, TTLs, retention). */
  settings: { queue: string; namespace: string; cacheTtlMs: number; dlqRetentionDays: number };
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
  /**
   * Most jobs of this type the loader puts into one band's Redis batch per load (heavy types
   * lower, so a batch holds fewer of them). Absent: the loading worker's batchSize. Overridden
   * per queue by `QueueManager.setBatchSizes`.
   */
  batchSize?: number;
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
