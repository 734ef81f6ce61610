import { z } from 'zod';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A date range as MongoDB bounds: `from` inclusive, `before` exclusive (the day after a date-only end). */
export interface DateBounds {
  from?: Date;
  before?: Date;
  until?: Date;
}

function bound(side: string, end: boolean): Date | undefined | null {
  if (side === '') return undefined;
  if (DATE_ONLY.test(side)) {
    const day = new Date(`${side}T00:00:00.000Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== side) return null;
    return end ? new Date(day.getTime() + DAY_MS) : day;
  }
  if (TIMESTAMP.test(side)) {
    const at = new Date(side);
    return Number.isNaN(at.getTime()) ? null : at;
  }
  return null;
}

/**
 * Parses "from,to": each side a UTC date (YYYY-MM-DD, the whole day included) or an ISO
 * timestamp with a zone (included as given); one side may be empty for an open range.
 */
export function parseDateRange(range: string): DateBounds | undefined {
  const sides = range.split(',').map((s) => s.trim());
  if (sides.length !== 2 || (sides[0] === '' && sides[1] === '')) return undefined;
  const [fromText = '', toText = ''] = sides;
  const from = bound(fromText, false);
  const to = bound(toText, true);
  if (from === null || to === null) return undefined;
  const bounds: DateBounds = { from };
  if (to !== undefined) {
    if (DATE_ONLY.test(toText)) bounds.before = to;
    else bounds.until = to;
  }
  const end = bounds.before ?? bounds.until;
  if (from && end && end.getTime() < from.getTime()) return undefined;
  return bounds;
}

/** The filters of a user export (data_export with a userId). Unknown keys are refused, never ignored. */
export const userExportFiltersSchema = z
  .object({
    /** "from,to", both ends included; applies to the collections configured with a date field. */
    dateRange: z
      .string()
      .max(100)
      .refine((r) => parseDateRange(r) !== undefined, {
        message: 'expected "from,to" with from ≤ to, each YYYY-MM-DD or an ISO timestamp with a zone (one side may be empty), e.g. "2024-01-01,2024-12-31"',
      })
      .optional(),
    /** Adds the EXPORT_TRANSACTION_COLLECTIONS documents of the user. */
    includeTransactions: z.boolean().default(false),
  })
  .strict();

export type UserExportFilters = z.infer<typeof userExportFiltersSchema>;

/** The MongoDB condition on a date field for a validated range. */
export function dateCondition(bounds: DateBounds): Record<string, Date> {
  const condition: Record<string, Date> = {};
  if (bounds.from) condition.$gte = bounds.from;
  if (bounds.before) condition.$lt = bounds.before;
  if (bounds.until) condition.$lte = bounds.until;
  return condition;
}
