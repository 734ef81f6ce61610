import { z } from 'zod';
import { BANDS_IN_ORDER, DEFAULT_PRIORITY_LEVELS, type PriorityBand, type PriorityLevels, type PriorityRange } from '../domain/priority-band';

/** The environment variable mongodb.connectionString falls back to. */
export const MONGO_URI_VARIABLE = 'MONGO_URI';

/** The documented, lower-case band keys of batch.priorityLevels. */
export type BandKey = Lowercase<PriorityBand>;
export type ConfiguredPriorityLevels = Record<BandKey, PriorityRange>;

const priorityRange = z
  .object({ min: z.number().int().min(1), max: z.number().int().max(1000) })
  .strict()
  .refine((r) => r.min <= r.max, { message: 'min must not exceed max' });

const bandKey = (band: PriorityBand): BandKey => band.toLowerCase() as BandKey;

/**
 * batch.priorityLevels: the documented lower-case keys (critical, high, normal, low), with the
 * band names (CRITICAL, ...) accepted as aliases. A band left out keeps its default range; both
 * spellings of one band with different ranges is an error naming both.
 */
export const priorityLevelsSchema = z
  .object({
    critical: priorityRange.optional(),
    high: priorityRange.optional(),
    normal: priorityRange.optional(),
    low: priorityRange.optional(),
    CRITICAL: priorityRange.optional(),
    HIGH: priorityRange.optional(),
    NORMAL: priorityRange.optional(),
    LOW: priorityRange.optional(),
  })
  .strict()
  .prefault({})
  .transform((levels, ctx) => {
    const resolved = {} as ConfiguredPriorityLevels;
    for (const band of BANDS_IN_ORDER) {
      const lower = levels[bandKey(band)];
      const upper = levels[band];
      if (lower && upper && (lower.min !== upper.min || lower.max !== upper.max)) {
        ctx.issues.push({
          code: 'custom',
          path: [bandKey(band)],
          message: `${bandKey(band)} and its alias ${band} are both given and differ: keep one`,
          input: levels,
        });
      }
      resolved[bandKey(band)] = { ...(lower ?? upper ?? DEFAULT_PRIORITY_LEVELS[band]) };
    }
    return resolved;
  });

/** The configured ranges keyed by band (CRITICAL, ...), as the domain code looks them up. */
export function bandRanges(levels: ConfiguredPriorityLevels): PriorityLevels {
  return Object.fromEntries(BANDS_IN_ORDER.map((band) => [band, levels[bandKey(band)]])) as PriorityLevels;
}

/** Band-keyed ranges (a derived queue's own bands) in the configuration's lower-case form. */
export function configuredLevels(levels: PriorityLevels): ConfiguredPriorityLevels {
  return Object.fromEntries(BANDS_IN_ORDER.map((band) => [bandKey(band), levels[band]])) as ConfiguredPriorityLevels;
}
