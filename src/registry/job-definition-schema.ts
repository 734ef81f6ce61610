import { z } from 'zod';

/** Jobs of one type per band per load at most; the same ceiling as `batch.size`. */
export const MAX_TYPE_BATCH_SIZE = 10_000;

const notPositiveInteger = (input: unknown) => `must be a positive integer, got ${typeof input === 'string' ? JSON.stringify(input) : String(input)}`;

export const typeBatchSizeSchema = z
  .number({ error: (issue) => notPositiveInteger(issue.input) })
  .refine((n) => Number.isInteger(n) && n > 0, { error: (issue) => notPositiveInteger(issue.input) })
  .refine((n) => n <= MAX_TYPE_BATCH_SIZE, `must be at most ${MAX_TYPE_BATCH_SIZE}`);

/**
 * The settings of a job definition checked when it is registered (the schema and handler are
 * the application's code; these are values a typo can break).
 */
export const jobDefinitionSettingsSchema = z.object({
  type: z.string().min(1, 'must be a non-empty string'),
  batchSize: typeBatchSizeSchema.optional(),
});
