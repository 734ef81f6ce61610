import { ObjectId } from 'mongodb';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { QueueConfig } from '../config/queue-config';
import { DlqReprocessOutcome, type DlqOptionCorrections, type DlqRecord, type DlqReprocessAttempt, type DlqReprocessRecord, type DlqSeverity } from '../domain/dlq-record';
import type { JobRecord } from '../domain/job-record';
import { JobStatus } from '../domain/job-status';
import { DlqAlreadyReprocessedError, DlqEntryNotFoundError, InvalidJobDataError, JobNotFoundError, ReprocessLimitError, InvalidStateError } from '../errors';
import type { JobRegistry } from '../registry/job-registry';
import { withEntryId, type DlqEntry } from '../storage/dlq-repository';
import type { DlqScope, DlqStore } from '../storage/dlq-store';
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

export interface ReprocessOptions {
  /**
   * When the admin asked (default: when the call started). A reprocess of the entry recorded at
   * or after this moment was another admin's concurrent call, and refuses this one: an HTTP
   * route passes the request's arrival so the time spent finding the entry does not count.
   */
  requestedAt?: Date;
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
    /** The entries reviews and reprocesses may reach (this queue's, and those it routes). */
    private readonly scope: DlqScope,
    private readonly logger?: Logger,
  ) {}

  /** Moves a job that is waiting or stuck to the DLQ by hand (a running job is moved by its worker). */
  async moveToDLQ(job: string | Pick<JobDocument, 'jobId'>, reason: string, by = 'api'): Promise<DlqEntry> {
    const jobId = typeof job === 'string' ? job : job.jobId;
    const now = new Date();
    const queue = this.config.name;
    const moved = await this.jobs.markDead(jobId, [JobStatus.Scheduled, JobStatus.Pending, JobStatus.Batched, JobStatus.Processing], by, reason, now, { queue });
    if (moved.ok) return withEntryId(await this.lifecycle.recordDeadLetter(moved.value, reason));
    const [current] = await this.jobs.findByJobIds(queue, [jobId]);
    if (!current) {
      // Already moved and since deleted by cleanup: its entry is the answer.
      const existing = await this.dlq.findByJobId(jobId, { queue });
      if (existing) return withEntryId(existing);
      throw new JobNotFoundError(jobId);
    }
    if (current.status !== JobStatus.Dead) throw new InvalidStateError(`Job ${jobId} is ${current.status}; only waiting or running jobs can be moved to the DLQ`, { jobId, status: current.status });
    // Dead already: its occurrence's entry, written now if it is missing (autoMove off, or a crash).
    return withEntryId(await this.lifecycle.recordDeadLetter(current, reason));
  }

  async findEntry(idOrJobId: string): Promise<DlqEntry> {
    const entry = ObjectId.isValid(idOrJobId) && idOrJobId.length === 24
      ? await this.dlq.findById(new ObjectId(idOrJobId), this.scope)
      : await this.dlq.findByJobId(idOrJobId, this.scope);
    if (!entry) throw new DlqEntryNotFoundError(idOrJobId);
    return withEntryId(entry);
  }

  /** The newest entry of a jobId within this service's scope (this queue's, and the ones it routes). */
  async findByJobId(jobId: string): Promise<DlqEntry | null> {
    const entry = await this.dlq.findByJobId(jobId, this.scope);
    return entry ? withEntryId(entry) : null;
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
   * and both are recorded in the entry's reprocess history.
   *
   * A compare-and-set on the entry's reprocess count decides between admins reprocessing at
   * once: one wins, every other gets DlqAlreadyReprocessedError naming the job that exists, and
   * each call is kept in `reprocessAttempts`. The winner's new job id (derived from the entry and
   * its count) stays in `reprocessPending` until the job is added; a crash in between is
   * finished by the next call on the entry, which adds that job (never a second one).
   */
  async reprocess(id: string, admin: string, corrections?: Record<string, unknown>, options: ReprocessOptions = {}): Promise<ReprocessResult> {
    const requestedAt = options.requestedAt ?? new Date();
    let entry = await this.findEntry(id);
    if (entry.reprocessPending) {
      // Someone else's reprocess is under way (or its caller crashed): finish it, then refuse this one.
      entry = await this.finishPendingReprocess(entry);
      throw await this.refuse(entry, admin, entry.reprocessCount - 1, corrections, new Date());
    }
    const latest = entry.reprocessHistory.at(-1);
    if (latest && new Date(latest.at).getTime() >= requestedAt.getTime()) {
      // Recorded while this call was on its way: a concurrent admin won before this call read the entry.
      throw await this.refuse(entry, admin, entry.reprocessCount - 1, corrections, new Date());
    }
    const limit = this.config.dlq.maxReprocessAttempts;
    const expectedCount = entry.reprocessCount;
    if (expectedCount >= limit) throw new ReprocessLimitError(String(entry._id), limit);
    const now = new Date();
    const { record, split, dataAfter } = buildReprocessRecord(entry, admin, corrections, this.registry, this.config, now);
    const newJobId = record.jobId;
    const audit: DlqReprocessRecord = { by: admin, at: now, corrections, newJobId };
    if (Object.keys(split.data).length > 0) audit.dataCorrections = split.data;
    if (Object.keys(split.options).length > 0) audit.optionCorrections = split.options;
    const attempt: DlqReprocessAttempt = { by: admin, at: now, outcome: DlqReprocessOutcome.Applied, expectedCount, newJobId, ...(corrections ? { corrections } : {}) };
    const won = await this.dlq.claimReprocess(entry._id, expectedCount, limit, audit, attempt, now);
    if (!won) throw await this.refuse(entry, admin, expectedCount, corrections, now);
    await this.addRecord(record);
    const confirmed = await this.dlq.confirmReprocess(entry._id, newJobId, new Date());
    // Not confirmed: a concurrent call found the claim pending and finished it (same job, same data).
    const current = confirmed ? withEntryId(confirmed) : await this.findEntry(String(entry._id));
    return { entry: current, jobId: newJobId, newJobId, dataBefore: entry.data, dataAfter, dataCorrections: split.data, optionCorrections: split.options };
  }

  /**
   * Lost to another admin's reprocess: audits the call and names the reprocess that won
   * (`winnerIndex` in the entry's reprocess history).
   */
  private async refuse(read: DlqEntry, admin: string, winnerIndex: number, corrections: Record<string, unknown> | undefined, now: Date): Promise<Error> {
    const current = await this.dlq.findById(read._id);
    if (!current) return new DlqEntryNotFoundError(String(read._id));
    const winner = current.reprocessHistory[winnerIndex] ?? current.reprocessHistory.at(-1);
    const expectedCount = read.reprocessCount;
    const existingJobId = winner?.newJobId ?? current.reprocessPending ?? reprocessJobId(current, winnerIndex + 1);
    const attempt: DlqReprocessAttempt = { by: admin, at: now, outcome: DlqReprocessOutcome.AlreadyReprocessed, expectedCount, newJobId: existingJobId, ...(corrections ? { corrections } : {}) };
    await this.dlq.recordRefusedReprocess(read._id, attempt, now);
    this.logger?.info({ entryId: String(read._id), jobId: read.jobId, admin, existingJobId }, 'reprocess refused: another reprocess of this entry won');
    return new DlqAlreadyReprocessedError(String(read._id), existingJobId, winner?.by);
  }

  /**
   * Adds the job of a reprocess whose caller stopped between winning and adding it, from what
   * the winner recorded. Adding is idempotent (the job id is fixed), so a winner still running
   * and this call cannot make two jobs.
   */
  private async finishPendingReprocess(entry: DlqEntry): Promise<DlqEntry> {
    const index = entry.reprocessHistory.findIndex((r) => r.newJobId === entry.reprocessPending);
    const claimed = entry.reprocessHistory[index];
    if (!claimed) throw new InvalidStateError(`DLQ entry ${entry.id} has a pending reprocess ${String(entry.reprocessPending)} without its record`, { entryId: entry.id });
    const { record } = buildReprocessRecord(withEntryId({ ...entry, reprocessCount: index }), claimed.by, claimed.corrections, this.registry, this.config, new Date());
    await this.addRecord(record);
    const confirmed = await this.dlq.confirmReprocess(entry._id, claimed.newJobId, new Date());
    return confirmed ? withEntryId(confirmed) : this.findEntry(String(entry._id));
  }
}

/**
 * The job id a reprocess adds: `<jobId>:reprocess:<n>` for the n-th reprocess of the jobId's
 * first DLQ entry, `<jobId>#<k>:reprocess:<n>` for the k-th entry of a reused jobId (k ≥ 2),
 * so each entry's reprocesses get their own ids and a repeated call finds its job.
 */
export function reprocessJobId(entry: Pick<DlqRecord, 'jobId' | 'occurrence'>, n: number): string {
  const occurrence = entry.occurrence ?? 1;
  return occurrence > 1 ? `${entry.jobId}#${occurrence}:reprocess:${n}` : `${entry.jobId}:reprocess:${n}`;
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
    { type: entry.type, data: dataAfter as never, priority: entry.priority, maxAttempts: entry.maxAttempts, ...split.options, jobId: reprocessJobId(entry, entry.reprocessCount + 1) },
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
