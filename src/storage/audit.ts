import type { JobHistoryEntry } from '../domain/job-record';
import type { JobStatus } from '../domain/job-status';

/** `$push` that appends audit entries and keeps only the newest `max` (history stays bounded). */
export function pushBounded<T>(entries: T[], max: number): { $each: T[]; $slice: number } {
  return { $each: entries, $slice: -max };
}

export function historyEntry(from: JobStatus | null, to: JobStatus, by: string, at: Date, reason?: string): JobHistoryEntry {
  return reason === undefined ? { from, to, at, by } : { from, to, at, by, reason };
}

/**
 * For pipeline updates whose previous status differs per document: the entry records
 * `from: "$status"` as it was before this update. Strings are wrapped in $literal so a
 * reason or admin name starting with "$" is never read as a field path.
 */
export function appendHistoryExpression(to: JobStatus, by: string, at: Date, max: number, reason?: string): Record<string, unknown> {
  const entry: Record<string, unknown> = { from: '$status', to: { $literal: to }, at, by: { $literal: by } };
  if (reason !== undefined) entry.reason = { $literal: reason };
  return { $slice: [{ $concatArrays: [{ $ifNull: ['$history', []] }, [entry]] }, -max] };
}
