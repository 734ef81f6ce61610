import { ObjectId } from 'mongodb';
import { z } from 'zod';
import type { QueueConfig } from '../config/queue-config';
import type { DlqOptionCorrections, DlqReprocessRecord, DlqSeverity } from '../domain/dlq-record';
import type { JobRecord } from '../domain/job-record';
import { JobStatus } from '../domain/job-status';
import { DlqEntryNotFoundError, InvalidJobDataError, JobNotFoundError, ReprocessLimitError, InvalidStateError } from '../errors';
import type { JobRegistry } from '../registry/job-registry';
import { withEntryId, type DlqEntry } from '../storage/dlq-repository';
import type { DlqStore } from '../storage/dlq-store';
import type { JobDocument, JobStore } from '../storage/job-store';
import { buildJobRecord } from './job-builder';
import type { JobLifecycle } from './job-lifecycle';

export interface ReprocessResult {
  /** The DLQ entry after the reprocess was recorded. */
  entry: DlqEntry;
  /** The new job's id. */
  jobId: string;
  /** Alias of `jobId`. */
  newJobId: string;
  dataBefore: unknown;
  dataAfter: unknown;
  /** The corrections merged into the new job's data. */
  dataCorrections: Record<string, unknown>;
  /** The corrections applied to the new job's options. */
  optionCorrections: DlqOptionCorrections;
}

/**
 * Correction keys that name job options rather than data fields. `delay` and `scheduledFor`
 * belong here too: an admin who fixed an upstream outage often wants the retry to wait for it.
 */
export const OPTION_CORRECTION_KEYS = ['priority', 'maxAttempts', 'delay', 'scheduledFor'] as const;

/**
 * Splits an admin's corrections into option corrections and data corrections. A key named like a
 * job option is an option, unless the job type's schema declares a data field of that name (the
 * type's own field wins).
 */
export function splitCorrections(schema: z.ZodType, corrections: Record<string, unknown> | undefined): { data: Record<string, unknown>; options: DlqOptionCorrections } {
  const data: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  const dataFields = schema instanceof z.ZodObject ? new Set(Object.keys(schema.shape)) : new Set<string>();
  for (const [key, value] of Object.entries(corrections ?? {})) {
    const isOption = (OPTION_CORRECTION_KEYS as readonly string[]).includes(key) && !dataFields.has(key);
    (isOption ? options : data)[key] = value;
  }
  return { data, options: options as DlqOptionCorrections };
}

/** The admin workflow around dead-lettered jobs: move, review, reprocess with corrections. */
export class DlqService {
  constructor(
    private readonly config: QueueConfig,
    private readonly registry: JobRegistry,
    private readonly jobs: JobStore,
    private readonly dlq: DlqStore,
    private readonly lifecycle: JobLifecycle,
    private readonly addRecord: (record: JobRecord) => Promise<{ deduplicated: boolean }>,
  ) {}

  /** Moves a job that is waiting or stuck to the DLQ by hand (a running job is moved by its worker). */
  async moveToDLQ(job: string | Pick<JobDocument, 'jobId'>, reason: string, by = 'api'): Promise<DlqEntry> {
    const jobId = typeof job === 'string' ? job : job.jobId;
    const now = new Date();
    const moved = await this.jobs.markDead(jobId, [JobStatus.Scheduled, JobStatus.Pending, JobStatus.Batched, JobStatus.Processing], by, reason, now);
    if (!moved.ok) {
      const existing = await this.dlq.findByJobId(jobId);
      if (existing) return withEntryId(existing);
      if (moved.reason === 'wrong_status') {
        const current = await this.jobs.collection.findOne({ jobId }, { projection: { status: 1 } });
        if (!current) throw new JobNotFoundError(jobId);
        if (current.status !== JobStatus.Dead) throw new InvalidStateError(`Job ${jobId} is ${current.status}; only waiting or running jobs can be moved to the DLQ`, { jobId, status: current.status });
        // Dead without an entry (autoMove off, or a crash): write it now.
        const doc = await this.jobs.collection.findOne({ jobId });
        if (doc) await this.lifecycle.recordDeadLetter(doc, reason);
        const entry = await this.dlq.findByJobId(jobId);
        if (entry) return withEntryId(entry);
      }
      throw new JobNotFoundError(jobId);
    }
    await this.lifecycle.recordDeadLetter(moved.value, reason);
    const entry = await this.dlq.findByJobId(jobId);
    if (!entry) throw new Error(`DLQ entry for ${jobId} missing right after it was written`);
    return withEntryId(entry);
  }

  async findEntry(idOrJobId: string): Promise<DlqEntry> {
    const entry = ObjectId.isValid(idOrJobId) && idOrJobId.length === 24
      ? await this.dlq.findById(new ObjectId(idOrJobId))
      : await this.dlq.findByJobId(idOrJobId);
    if (!entry) throw new DlqEntryNotFoundError(idOrJobId);
    return withEntryId(entry);
  }

  async markReviewed(id: string, admin: string, note?: string): Promise<DlqEntry> {
    const entry = await this.findEntry(id);
    const updated = await this.dlq.markReviewed(entry._id, admin, note, new Date());
    if (!updated) throw new DlqEntryNotFoundError(id);
    return withEntryId(updated);
  }

  async bySeverity(severity: DlqSeverity, limit: number): Promise<DlqEntry[]> {
    const docs = await this.dlq.findBySeverity(this.config.name, severity, Math.min(Math.max(1, limit), 1000));
    return docs.map(withEntryId);
  }

  /**
   * Adds a new job from the entry. Corrections naming job options (OPTION_CORRECTION_KEYS) apply
   * to the new job's options; the rest merges into its data. Both are validated as addJob
   * validates (the type's schema, priority range, attempt bounds) before anything is written,
   * and both are recorded in the entry's reprocess history. Safe to repeat after a crash: the
   * new jobId is derived from the entry and its reprocess count, so a second attempt finds the
   * job instead of doubling it.
   */
  async reprocess(id: string, admin: string, corrections?: Record<string, unknown>): Promise<ReprocessResult> {
    const entry = await this.findEntry(id);
    const limit = this.config.dlq.maxReprocessAttempts;
    if (entry.reprocessCount >= limit) throw new ReprocessLimitError(String(entry._id), limit);
    const now = new Date();
    const { record, split, dataAfter } = buildReprocessRecord(entry, admin, corrections, this.registry, this.config, now);
    const newJobId = record.jobId;
    await this.addRecord(record);
    const audit: DlqReprocessRecord = { by: admin, at: now, corrections, newJobId };
    if (Object.keys(split.data).length > 0) audit.dataCorrections = split.data;
    if (Object.keys(split.options).length > 0) audit.optionCorrections = split.options;
    const updated = await this.dlq.recordReprocess(entry._id, entry.reprocessCount, limit, audit, now);
    // No update: another admin reprocessed it at the same moment; their record names the same new job.
    const current = updated ? withEntryId(updated) : await this.findEntry(id);
    return { entry: current, jobId: newJobId, newJobId, dataBefore: entry.data, dataAfter, dataCorrections: split.data, optionCorrections: split.options };
  }
}

/**
 * The new job a reprocess adds, built and validated without writing anything (the bulk dry run
 * uses it too). Throws the typed error addJob would throw for bad data or options.
 */
export function buildReprocessRecord(
  entry: DlqEntry,
  admin: string,
  corrections: Record<string, unknown> | undefined,
  registry: JobRegistry,
  config: QueueConfig,
  now: Date,
): { record: JobRecord; split: { data: Record<string, unknown>; options: DlqOptionCorrections }; dataAfter: unknown } {
  const split = splitCorrections(registry.get(entry.type).schema, corrections);
  const dataAfter = Object.keys(split.data).length > 0 ? mergeCorrections(entry.data, split.data) : entry.data;
  const record = buildJobRecord(
    { type: entry.type, data: dataAfter as never, priority: entry.priority, maxAttempts: entry.maxAttempts, ...split.options, jobId: `${entry.jobId}:reprocess:${entry.reprocessCount + 1}` },
    registry,
    config,
    now,
    admin,
  );
  record.reprocessOf = entry.jobId;
  record.history[0].reason = reprocessReason(entry, admin, split, record.history[0].reason);
  return { record, split, dataAfter };
}

/** The new job's first history entry: where it came from and what the admin changed. */
function reprocessReason(entry: DlqEntry, admin: string, split: { data: Record<string, unknown>; options: DlqOptionCorrections }, added: string | undefined): string {
  const parts = [`reprocessed from DLQ entry ${entry.id} (job ${entry.jobId}) by ${admin}`];
  const dataKeys = Object.keys(split.data);
  if (dataKeys.length > 0) parts.push(`data corrected: ${dataKeys.join(', ')}`);
  const options = Object.entries(split.options).map(([key, value]) => `${key}=${value instanceof Date ? value.toISOString() : String(value)}`);
  if (options.length > 0) parts.push(`options corrected: ${options.join(', ')}`);
  if (added !== undefined && added !== 'added') parts.push(added);
  return parts.join('; ');
}

/** Deep-merges plain objects; arrays and scalars in `corrections` replace what was there. */
export function mergeCorrections(data: unknown, corrections: Record<string, unknown>): unknown {
  if (!isPlainObject(data)) {
    throw new InvalidJobDataError('(reprocess)', ['corrections can only be merged into object data']);
  }
  const merged: Record<string, unknown> = { ...data };
  for (const [key, value] of Object.entries(corrections)) {
    merged[key] = isPlainObject(value) && isPlainObject(merged[key]) ? mergeCorrections(merged[key], value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}
