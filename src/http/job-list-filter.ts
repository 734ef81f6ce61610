import { ObjectId, type Filter } from 'mongodb';
import type { QueueManager } from '../manager/queue-manager';
import type { JobDocument } from '../storage/job-store';
import { JOB_CURSOR_PATTERN, type JobListQuery } from './admin-schemas';

/** Newest first; `_id` breaks ties between jobs created in the same millisecond. */
export const JOB_LIST_SORT = { createdAt: -1, _id: -1 } as const;

/**
 * The MongoDB filter of GET /admin/jobs, built only from validated plain values (enums, names,
 * numbers, dates), so the operators in it are ours alone.
 */
export function jobListFilter(queue: string, q: JobListQuery): Filter<JobDocument> {
  const filter: Filter<JobDocument> = { queue };
  if (q.status) filter.status = q.status;
  if (q.type) filter.type = q.type;
  if (q.band) filter.band = q.band;
  if (q.minPriority !== undefined || q.maxPriority !== undefined) {
    filter.priority = { ...(q.minPriority !== undefined ? { $gte: q.minPriority } : {}), ...(q.maxPriority !== undefined ? { $lte: q.maxPriority } : {}) };
  }
  if (q.createdFrom || q.createdTo) {
    filter.createdAt = { ...(q.createdFrom ? { $gte: q.createdFrom } : {}), ...(q.createdTo ? { $lte: q.createdTo } : {}) };
  }
  const after = q.cursor ? decodeJobCursor(q.cursor) : undefined;
  if (after) {
    // Strictly after the previous page's last item in JOB_LIST_SORT order.
    filter.$or = [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, _id: { $lt: after.id } }];
  }
  return filter;
}

/** The cursor of the page after `last` (sent only when the page was full). */
export function encodeJobCursor(last: Pick<JobDocument, 'createdAt' | '_id'>): string {
  return `${new Date(last.createdAt).getTime()}_${last._id.toHexString()}`;
}

function decodeJobCursor(cursor: string): { createdAt: Date; id: ObjectId } | undefined {
  const match = JOB_CURSOR_PATTERN.exec(cursor);
  if (!match) return undefined;
  return { createdAt: new Date(Number(match[1])), id: new ObjectId(match[2]) };
}

/** One page of GET /admin/jobs (and the dashboard's job search): jobs without their history and errors. */
export async function findJobPage(manager: QueueManager, q: JobListQuery): Promise<{ items: JobDocument[]; nextCursor: string | null }> {
  const items = await manager.internals.store.collection
    .find(jobListFilter(manager.config.name, q), { projection: { history: 0, errors: 0 } })
    .sort(JOB_LIST_SORT)
    .skip(q.skip)
    .limit(q.limit)
    .toArray();
  const last = items.at(-1);
  return { items, nextCursor: items.length === q.limit && last ? encodeJobCursor(last) : null };
}
