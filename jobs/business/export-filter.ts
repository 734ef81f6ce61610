import { z } from 'zod';

const scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);
const range = z
  .object({ gt: scalar.optional(), gte: scalar.optional(), lt: scalar.optional(), lte: scalar.optional(), in: z.array(scalar).max(1000).optional() })
  .strict()
  .refine((r) => Object.keys(r).length > 0, { message: 'give at least one of gt, gte, lt, lte, in' });

/**
 * An export filter: field → value (equality) or a range/in object. Field names are plain paths:
 * no `$`, so nothing the caller sends can become a MongoDB operator.
 */
export const exportFilterSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, 'plain field names only (letters, digits, _ and dots)'), z.union([scalar, range]))
  .refine((f) => Object.keys(f).length <= 20, { message: 'at most 20 fields' });

export type ExportFilter = z.infer<typeof exportFilterSchema>;

/** Builds the MongoDB filter from validated plain values only. */
export function toMongoFilter(filter: ExportFilter): Record<string, unknown> {
  const mongo: Record<string, unknown> = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (condition !== null && typeof condition === 'object') {
      const ops: Record<string, unknown> = {};
      if (condition.gt !== undefined) ops.$gt = condition.gt;
      if (condition.gte !== undefined) ops.$gte = condition.gte;
      if (condition.lt !== undefined) ops.$lt = condition.lt;
      if (condition.lte !== undefined) ops.$lte = condition.lte;
      if (condition.in !== undefined) ops.$in = condition.in;
      mongo[field] = ops;
    } else {
      mongo[field] = { $eq: condition };
    }
  }
  return mongo;
}
