import { z } from 'zod';
import { DlqSeverity } from '../domain/dlq-record';
import { JobStatus } from '../domain/job-status';
import { PriorityBand } from '../domain/priority-band';

/**
 * Every input of the admin API. Objects are strict and every filter value is a plain string,
 * number, boolean or date, so nothing shaped like a MongoDB operator (`{"$ne": ...}`,
 * `status[$ne]=`, `$where`) can reach a query.
 */

/** Job types, failure reasons: names only. */
const name = z.string().regex(/^[A-Za-z0-9_.:@-]{1,200}$/, 'letters, digits and _ . : @ - only');
/** A jobId or DLQ entry id in a path: no whitespace, and never starting with `$`. */
const identifier = z.string().min(1).max(200).regex(/^[^$\s]\S*$/, 'no whitespace, no leading $');
const limit = z.coerce.number().int().min(1).max(1000).default(50);
const skip = z.coerce.number().int().min(0).max(1_000_000).default(0);
const priority = z.coerce.number().int().min(0).max(1000);
/** ISO 8601 only (a date, or a date-time with Z or an offset): `new Date()` would take almost anything. */
const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((value) => new Date(value));
/** Field names of corrections: no operators, no dotted paths. */
const corrections = z.record(z.string().regex(/^[^$.]+$/, 'no $ or . in field names'), z.unknown());
const booleanText = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Opaque to clients: `<createdAt ms>_<_id hex>` of the last item of the previous page. */
export const JOB_CURSOR_PATTERN = /^(\d{1,15})_([0-9a-f]{24})$/;

export const jobListQuery = z
  .object({
    status: z.enum(JobStatus).optional(),
    type: name.optional(),
    band: z.enum(PriorityBand).optional(),
    minPriority: priority.optional(),
    maxPriority: priority.optional(),
    createdFrom: isoDate.optional(),
    createdTo: isoDate.optional(),
    limit,
    skip,
    cursor: z.string().regex(JOB_CURSOR_PATTERN, 'a nextCursor from a previous page').optional(),
  })
  .strict()
  .refine((q) => q.minPriority === undefined || q.maxPriority === undefined || q.minPriority <= q.maxPriority, {
    message: 'minPriority must not exceed maxPriority',
    path: ['minPriority'],
  })
  .refine((q) => !q.createdFrom || !q.createdTo || q.createdFrom <= q.createdTo, {
    message: 'createdFrom must not be after createdTo',
    path: ['createdFrom'],
  })
  .refine((q) => q.cursor === undefined || q.skip === 0, { message: 'use either skip or cursor', path: ['cursor'] });

export type JobListQuery = z.output<typeof jobListQuery>;

export const jobIdParams = z.object({ jobId: identifier }).strict();
export const dlqIdParams = z.object({ id: identifier }).strict();
export const rescheduleBody = z.object({ runAt: isoDate }).strict();
export const cancelBody = z.object({ reason: z.string().min(1).max(500).optional() }).strict();

const dlqFilter = {
  severity: z.enum(DlqSeverity).optional(),
  type: name.optional(),
  reason: name.optional(),
};

export const dlqListQuery = z.object({ ...dlqFilter, jobId: identifier.optional(), reviewed: booleanText.optional(), limit, skip }).strict();
export const reprocessBody = z.object({ corrections: corrections.optional() }).strict();
export const reviewBody = z.object({ note: z.string().max(2000).optional() }).strict();

/** Bulk reprocess: the limit is required so one request cannot reprocess the whole DLQ by accident. */
export const bulkReprocessBody = z
  .object({
    ...dlqFilter,
    reviewed: z.boolean().optional(),
    limit: z.number().int().min(1).max(1000),
    dryRun: z.boolean().default(false),
    corrections: corrections.optional(),
  })
  .strict();
