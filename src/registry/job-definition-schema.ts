import { z } from 'zod';

/** Jobs of one type per band per load at most; the same ceiling as `batch.size`. */
export const MAX_TYPE_BATCH_SIZE = 10_000;

export const typeBatchSizeSchema = z
  .number({ error: (issue) => `must be a positive integer, got ${JSON.stringify(issue.input) ?? 'undefined'}` })
  .int('must be a positive integer')
  .positive('must be a positive integer')
  .max(MAX_TYPE_BATCH_SIZE, `must be at most ${MAX_TYPE_BATCH_SIZE}`);

/**
 * The settings of a job definition checked when it is registered (the schema and handler are
 * the application's code; these are values a typo can break).
 */
export const jobDefinitionSettingsSchema = z.object({
  type: z.string().min(1, 'must be a non-empty string'),
  batchSize: typeBatchSizeSchema.optional(),
});
