import { ObjectId } from 'mongodb';
import type { QueueManager } from '../manager/queue-manager';
import type { JobListCriteria, ListedJob } from '../storage/job-reads';
import type { JobDocument } from '../storage/job-store';
import { JOB_CURSOR_PATTERN, type JobListQuery } from './admin-schemas';

/** What GET /admin/jobs asks the job repository for, from the validated query (the cursor decoded). */
export function jobListCriteria(q: JobListQuery): JobListCriteria {
  return {
    status: q.status,
    type: q.type,
    band: q.band,
    minPriority: q.minPriority,
    maxPriority: q.maxPriority,
    createdFrom: q.createdFrom,
    createdTo: q.createdTo,
    after: q.cursor ? decodeJobCursor(q.cursor) : undefined,
    limit: q.limit,
    skip: q.skip,
  };
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
export async function findJobPage(manager: QueueManager, q: JobListQuery): Promise<{ items: ListedJob[]; nextCursor: string | null }> {
  const items = await manager.jobRepository.list(jobListCriteria(q));
  const last = items.at(-1);
  return { items, nextCursor: items.length === q.limit && last ? encodeJobCursor(last) : null };
}
