import { z } from 'zod';
import { ALL_JOB_STATUSES } from '../domain/job-status';
import { BANDS_IN_ORDER } from '../domain/priority-band';

/** Plain names only: a filter value can never be an object, so no MongoDB operator gets through. */
const name = z.string().regex(/^[A-Za-z0-9_.:@-]{1,200}$/, 'letters, digits and _ . : @ - only');
const limit = z.coerce.number().int().min(1).max(1000).default(50);
const skip = z.coerce.number().int().min(0).max(1_000_000).default(0);
const isoDate = z.coerce.date();

export const jobListQuery = z
  .object({
    status: z.enum(ALL_JOB_STATUSES as [string, ...string[]]).optional(),
    type: name.optional(),
    band: z.enum(BANDS_IN_ORDER as unknown as [string, ...string[]]).optional(),
    minPriority: z.coerce.number().int().min(0).max(1000).optional(),
    maxPriority: z.coerce.number().int().min(0).max(1000).optional(),
    createdFrom: isoDate.optional(),
    createdTo: isoDate.optional(),
    limit,
    skip,
  })
  .strict();

export const jobIdParams = z.object({ jobId: z.string().min(1).max(200).regex(/^[^$\s][^\s]*$/) }).strict();
export const dlqIdParams = z.object({ id: z.string().min(1).max(200).regex(/^[^$\s][^\s]*$/) }).strict();
export const rescheduleBody = z.object({ runAt: isoDate }).strict();
export const cancelBody = z.object({ reason: z.string().max(500).optional() }).strict().default({});

export const dlqListQuery = z
  .object({
    severity: z.enum(['critical', 'high', 'medium', 'low']).optional(),
    type: name.optional(),
    reason: name.optional(),
    reviewed: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    limit,
    skip,
  })
  .strict();

export const reprocessBody = z.object({ corrections: z.record(z.string().regex(/^[^$.]+$/, 'no $ or . in field names'), z.unknown()).optional() }).strict().default({});
export const reviewBody = z.object({ note: z.string().max(2000).optional() }).strict().default({});
export const bulkReprocessBody = z
  .object({
    severity: z.enum(['critical', 'high', 'medium', 'low']).optional(),
    type: name.optional(),
    reason: name.optional(),
    reviewed: z.boolean().optional(),
    limit: z.number().int().min(1).max(1000),
    dryRun: z.boolean().default(false),
    corrections: z.record(z.string().regex(/^[^$.]+$/), z.unknown()).optional(),
  })
  .strict();
