import { ObjectId } from 'mongodb';
import type { QueueConfig } from '../config/queue-config';
import type { DlqSeverity } from '../domain/dlq-record';
import type { JobRecord } from '../domain/job-record';
import { JobStatus } from '../domain/job-status';
import { DlqEntryNotFoundError, InvalidJobDataError, JobNotFoundError, ReprocessLimitError, InvalidStateError } from '../errors';
import type { JobRegistry } from '../registry/job-registry';
import type { DlqDocument, DlqStore } from '../storage/dlq-store';
import type { JobDocument, JobStore } from '../storage/job-store';
import { buildJobRecord } from './job-builder';
import type { JobLifecycle } from './job-lifecycle';

export interface ReprocessResult {
  entry: DlqDocument;
  newJobId: string;
  dataBefore: unknown;
  dataAfter: unknown;
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
  async moveToDLQ(job: string | Pick<JobDocument, 'jobId'>, reason: string, by = 'api'): Promise<DlqDocument> {
    const jobId = typeof job === 'string' ? job : job.jobId;
    const now = new Date();
    const moved = await this.jobs.markDead(jobId, [JobStatus.Scheduled, JobStatus.Pending, JobStatus.Batched, JobStatus.Processing], by, reason, now);
    if (!moved.ok) {
      const existing = await this.dlq.findByJobId(jobId);
      if (existing) return existing;
      if (moved.reason === 'wrong_status') {
        const current = await this.jobs.collection.findOne({ jobId }, { projection: { status: 1 } });
        if (!current) throw new JobNotFoundError(jobId);
        if (current.status !== JobStatus.Dead) throw new InvalidStateError(`Job ${jobId} is ${current.status}; only waiting or running jobs can be moved to the DLQ`, { jobId, status: current.status });
        // Dead without an entry (autoMove off, or a crash): write it now.
        const doc = await this.jobs.collection.findOne({ jobId });
        if (doc) await this.lifecycle.recordDeadLetter(doc, reason);
        const entry = await this.dlq.findByJobId(jobId);
        if (entry) return entry;
      }
      throw new JobNotFoundError(jobId);
    }
    await this.lifecycle.recordDeadLetter(moved.value, reason);
    const entry = await this.dlq.findByJobId(jobId);
    if (!entry) throw new Error(`DLQ entry for ${jobId} missing right after it was written`);
    return entry;
  }

  async findEntry(idOrJobId: string): Promise<DlqDocument> {
    const entry = ObjectId.isValid(idOrJobId) && idOrJobId.length === 24
      ? await this.dlq.findById(new ObjectId(idOrJobId))
      : await this.dlq.findByJobId(idOrJobId);
    if (!entry) throw new DlqEntryNotFoundError(idOrJobId);
    return entry;
  }

  async markReviewed(id: string, admin: string, note?: string): Promise<DlqDocument> {
    const entry = await this.findEntry(id);
    const updated = await this.dlq.markReviewed(entry._id, admin, note, new Date());
    if (!updated) throw new DlqEntryNotFoundError(id);
    return updated;
  }

  async bySeverity(severity: DlqSeverity, limit: number): Promise<DlqDocument[]> {
    return this.dlq.findBySeverity(this.config.name, severity, Math.min(Math.max(1, limit), 1000));
  }

  /**
   * Adds a new job from the entry, with `corrections` merged into its data and validated
   * by the type's schema. Safe to repeat after a crash: the new jobId is derived from the
   * entry and its reprocess count, so a second attempt finds the job instead of doubling it.
   */
  async reprocess(id: string, admin: string, corrections?: Record<string, unknown>): Promise<ReprocessResult> {
    const entry = await this.findEntry(id);
    const limit = this.config.dlq.maxReprocessAttempts;
    if (entry.reprocessCount >= limit) throw new ReprocessLimitError(String(entry._id), limit);
    const dataAfter = corrections ? mergeCorrections(entry.data, corrections) : entry.data;
    const newJobId = `${entry.jobId}:reprocess:${entry.reprocessCount + 1}`;
    const now = new Date();
    const record = buildJobRecord(
      { type: entry.type, data: dataAfter as never, priority: entry.priority, maxAttempts: entry.maxAttempts, jobId: newJobId },
      this.registry,
      this.config,
      now,
      admin,
    );
    record.reprocessOf = entry.jobId;
    record.history[0].reason = `reprocessed from DLQ entry ${String(entry._id)} by ${admin}`;
    await this.addRecord(record);
    const updated = await this.dlq.recordReprocess(entry._id, entry.reprocessCount, limit, { by: admin, at: now, corrections, newJobId }, now);
    if (!updated) {
      // Another admin reprocessed it at the same moment; their record names the same new job.
      const current = await this.findEntry(id);
      return { entry: current, newJobId, dataBefore: entry.data, dataAfter };
    }
    return { entry: updated, newJobId, dataBefore: entry.data, dataAfter };
  }
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
