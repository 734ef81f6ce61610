import { randomUUID } from 'node:crypto';
import type { Collection, Filter, ObjectId, UpdateFilter } from 'mongodb';
import type { JobAttemptError, JobRecord } from '../domain/job-record';
import { JobStatus } from '../domain/job-status';
import { appendHistoryExpression, historyEntry, pushBounded } from './audit';
import { JOB_INDEX } from './job-model';
import { orderKeyFor } from './order-key';
import { hit, miss, TransitionMiss, type TransitionResult } from './transition-result';

export { orderKeyFor } from './order-key';

export type JobDocument = JobRecord & { _id: ObjectId };

export interface JobStoreLimits {
  maxHistoryEntries: number;
  maxErrorEntries: number;
}

/** Who holds a claimed job: the guard every later transition of that attempt presents. */
/** Marks a dead job may carry beyond its status (set once, never cleared). */
export type DeadJobMark = 'deadLetterForwardedAt';

export interface Lease {
  jobId: string;
  workerId: string;
  lockToken: string;
}

/** A job as a worker claims it: everything but its records of the past (history, errors, result). */
export type ClaimedJobDocument = Omit<JobDocument, 'history' | 'errors' | 'lastError' | 'result' | 'progress'>;
/** Leaves the audit arrays in MongoDB: a worker needs the job, not its past, and they are the bulk of a document. */
const CLAIM_PROJECTION = { history: 0, errors: 0, lastError: 0, result: 0, progress: 0 } as const;

const CLAIMABLE = [JobStatus.Pending, JobStatus.Batched];
/** Statuses an admin may cancel or reschedule from: the job is waiting, not running. */
const WAITING = [JobStatus.Scheduled, JobStatus.Pending, JobStatus.Batched];
const CLAIM_SORT = { priority: -1, orderKey: 1, _id: 1 } as const;
/** The history reason of a claim handed back or expired before its handler ran (its attempt is given back). */
const CLAIMED_NOT_STARTED = 'claimed, not started';
/** A running job on its last attempt whose handler started: an expired lease dead-letters it. */
const EXHAUSTED_STALLED: Filter<JobDocument> = { status: JobStatus.Processing, runStartedAt: { $ne: null }, $expr: { $gte: ['$attempts', '$maxAttempts'] } };

/**
 * Every state transition of a job, each one guarded atomic write that also appends its
 * audit entry. This file is the one place where a job's status changes.
 */
export class JobStore {
  constructor(
    readonly collection: Collection<JobDocument>,
    private readonly limits: JobStoreLimits,
  ) {}

  /** enqueue: inserts new jobs; returns the positions of records whose jobId already existed (not inserted). */
  async enqueue(records: JobRecord[]): Promise<Set<number>> {
    if (records.length === 0) return new Set();
    try {
      await this.collection.insertMany(records as JobDocument[], { ordered: false });
      return new Set();
    } catch (error) {
      const indexes = duplicateKeyIndexes(error);
      if (!indexes) throw error;
      return new Set(indexes);
    }
  }

  /** The jobs of `queue` with these ids (those of other queues are not there for it). */
  async findByJobIds(queue: string, jobIds: readonly string[]): Promise<JobDocument[]> {
    return this.collection.find({ queue, jobId: { $in: [...jobIds] } }).toArray();
  }

  /**
   * The best pending jobs with a priority in `range`, in claim order (what the loader puts into
   * Redis), leaving out the types in `excludeTypes` (the claim_order index still serves the
   * filter and the sort; the type is checked on the documents it walks).
   */
  async findReady(
    queue: string,
    range: { min: number; max: number },
    limit: number,
    excludeTypes: readonly string[] = [],
  ): Promise<Array<Pick<JobRecord, 'jobId' | 'priority' | 'orderKey' | 'band' | 'type'>>> {
    const filter: Filter<JobDocument> = { queue, status: JobStatus.Pending, priority: { $gte: range.min, $lte: range.max } };
    if (excludeTypes.length > 0) filter.type = { $nin: [...excludeTypes] };
    return this.collection
      .find(filter, { projection: { _id: 0, jobId: 1, priority: 1, orderKey: 1, band: 1, type: 1 } })
      .sort(CLAIM_SORT)
      .limit(limit)
      .toArray() as Promise<Array<Pick<JobRecord, 'jobId' | 'priority' | 'orderKey' | 'band' | 'type'>>>;
  }

  /** pending → batched: jobs the loader put into a Redis batch; they return to pending when `until` passes. */
  async markBatched(jobIds: string[], until: Date, now: Date): Promise<number> {
    if (jobIds.length === 0) return 0;
    const result = await this.collection.updateMany(
      { jobId: { $in: jobIds }, status: JobStatus.Pending },
      {
        $set: { status: JobStatus.Batched, batchedUntil: until, updatedAt: now },
        $push: { history: pushBounded([historyEntry(JobStatus.Pending, JobStatus.Batched, 'loader', now)], this.limits.maxHistoryEntries) },
      },
    );
    return result.modifiedCount;
  }

  /**
   * pending|batched → processing for one job named by a Redis batch. Jobs offered when added are
   * pending, jobs the loader put into Redis are batched: the claim tries pending first, then batched,
   * each a plain guarded update whose audit entry names the status it left.
   */
  async claimById(jobId: string, workerId: string, leaseMs: number, now: Date): Promise<ClaimedJobDocument | null> {
    const lockToken = randomUUID();
    for (const from of CLAIMABLE) {
      const doc = await this.collection.findOneAndUpdate({ jobId, status: from }, this.claimUpdate(from, workerId, lockToken, leaseMs, now), {
        returnDocument: 'after',
        projection: CLAIM_PROJECTION,
      });
      if (doc) return doc;
    }
    return null;
  }

  /** pending → processing for the best ready job of a queue, straight from MongoDB (no Redis, or a cache miss). */
  async claimNext(queue: string, workerId: string, leaseMs: number, now: Date): Promise<ClaimedJobDocument | null> {
    return this.collection.findOneAndUpdate({ queue, status: JobStatus.Pending }, this.claimUpdate(JobStatus.Pending, workerId, randomUUID(), leaseMs, now), {
      sort: CLAIM_SORT,
      returnDocument: 'after',
      projection: CLAIM_PROJECTION,
    });
  }

  /**
   * Claims several jobs named by a Redis batch in two round trips (one update command with a
   * guarded statement per source status, then a read of what this call's token won); returns
   * those it won, best first.
   */
  async claimMany(jobIds: string[], workerId: string, leaseMs: number, now: Date): Promise<ClaimedJobDocument[]> {
    if (jobIds.length === 0) return [];
    if (jobIds.length === 1) {
      const one = await this.claimById(jobIds[0], workerId, leaseMs, now);
      return one ? [one] : [];
    }
    const lockToken = randomUUID();
    await this.collection.bulkWrite(
      CLAIMABLE.map((from) => ({
        updateMany: { filter: { jobId: { $in: jobIds }, status: from }, update: this.claimUpdate(from, workerId, lockToken, leaseMs, now) },
      })),
      { ordered: false },
    );
    return this.collection.find({ jobId: { $in: jobIds }, lockToken }, { projection: CLAIM_PROJECTION }).sort(CLAIM_SORT).toArray() as Promise<ClaimedJobDocument[]>;
  }

  /**
   * The claim of jobs known to be in status `from` (the filter says so): plain update operators,
   * so the audit entry names `from` without a pipeline update (several times dearer to apply).
   */
  private claimUpdate(from: JobStatus, workerId: string, lockToken: string, leaseMs: number, now: Date): UpdateFilter<JobDocument> {
    return {
      $set: {
        status: JobStatus.Processing,
        lockedBy: workerId,
        lockToken,
        lockedUntil: new Date(now.getTime() + leaseMs),
        processingAt: now,
        // Unset until the handler starts (markStarted): a lease that expires without it gives its attempt back.
        runStartedAt: null,
        batchedUntil: null,
        updatedAt: now,
      },
      $inc: { attempts: 1 },
      $push: { history: pushBounded([historyEntry(from, JobStatus.Processing, workerId, now)], this.limits.maxHistoryEntries) },
    } as UpdateFilter<JobDocument>;
  }

  /**
   * The handlers of these claims are about to start: from now on their attempts count even if
   * the worker dies. One round trip for all of them (one guarded statement per lease token: a
   * claim of several jobs shares one). Returns, per lease, whether it was marked (false: the lease
   * was lost before the start, and the handler must not run).
   */
  async markStarted(leases: readonly Lease[], now: Date): Promise<boolean[]> {
    if (leases.length === 0) return [];
    if (leases.length === 1) {
      const one = await this.collection.updateOne(this.leaseGuard(leases[0]), { $set: { runStartedAt: now } });
      return [one.matchedCount === 1];
    }
    const byToken = new Map<string, Lease[]>();
    for (const lease of leases) byToken.set(lease.lockToken, [...(byToken.get(lease.lockToken) ?? []), lease]);
    const outcome = await this.collection.bulkWrite(
      [...byToken.values()].map((group) => ({
        updateMany: {
          filter: { jobId: { $in: group.map((l) => l.jobId) }, status: JobStatus.Processing, lockedBy: group[0].workerId, lockToken: group[0].lockToken },
          update: { $set: { runStartedAt: now } },
        },
      })),
      { ordered: false },
    );
    if (outcome.matchedCount === leases.length) return leases.map(() => true);
    const marked = await this.collection
      .find({ jobId: { $in: leases.map((l) => l.jobId) }, status: JobStatus.Processing, runStartedAt: now }, { projection: { _id: 0, jobId: 1, lockToken: 1 } })
      .toArray();
    return leases.map((lease) => marked.some((doc) => doc.jobId === lease.jobId && doc.lockToken === lease.lockToken));
  }

  /** Extends a running job's lease; a miss means the lease was lost and the handler should stop. */
  async extendLease(lease: Lease, leaseMs: number, now: Date): Promise<TransitionResult> {
    const result = await this.collection.updateOne(this.leaseGuard(lease), {
      $set: { lockedUntil: new Date(now.getTime() + leaseMs), updatedAt: now },
    });
    return result.matchedCount === 1 ? hit(undefined) : miss(TransitionMiss.Fenced);
  }

  /** Records progress reported by a running handler (fenced like every write of an attempt). */
  async recordProgress(lease: Lease, progress: unknown, now: Date): Promise<TransitionResult> {
    const result = await this.collection.updateOne(this.leaseGuard(lease), { $set: { progress, updatedAt: now } });
    return result.matchedCount === 1 ? hit(undefined) : miss(TransitionMiss.Fenced);
  }

  /** processing → completed. Fenced: only the lease holder of this attempt can record a result. */
  async complete(lease: Lease, attempt: number, result: unknown, now: Date, resultError: JobRecord['resultError'] = null): Promise<TransitionResult> {
    const outcome = await this.collection.updateOne(this.leaseGuard(lease), this.completeUpdate(lease, attempt, result, now, resultError));
    return outcome.matchedCount === 1 ? hit(undefined) : miss(TransitionMiss.Fenced);
  }

  /**
   * processing → completed for several attempts in one round trip (one `update` command, one
   * guarded statement per job, each with its audit entry). Returns, per item, whether it was
   * recorded. When some lease was lost, one read tells which: a recorded completion carries this
   * write's completedAt, the attempt number and its holder's history entry.
   */
  async completeMany(items: ReadonlyArray<{ lease: Lease; attempt: number; result: unknown; resultError?: JobRecord['resultError'] }>, now: Date): Promise<boolean[]> {
    if (items.length === 0) return [];
    if (items.length === 1) return [(await this.complete(items[0].lease, items[0].attempt, items[0].result, now, items[0].resultError)).ok];
    const outcome = await this.collection.bulkWrite(
      items.map(({ lease, attempt, result, resultError }) => ({ updateOne: { filter: this.leaseGuard(lease), update: this.completeUpdate(lease, attempt, result, now, resultError) } })),
      { ordered: false },
    );
    if (outcome.matchedCount === items.length) return items.map(() => true);
    const docs = await this.collection
      .find({ jobId: { $in: items.map((i) => i.lease.jobId) }, status: JobStatus.Completed, completedAt: now }, { projection: { jobId: 1, attempts: 1, history: 1 } })
      .toArray();
    return items.map(({ lease, attempt }) =>
      docs.some(
        (doc) =>
          doc.jobId === lease.jobId &&
          doc.attempts === attempt &&
          doc.history.at(-1)?.to === JobStatus.Completed &&
          doc.history.at(-1)?.by === lease.workerId,
      ),
    );
  }

  private completeUpdate(lease: Lease, attempt: number, result: unknown, now: Date, resultError: JobRecord['resultError'] = null): UpdateFilter<JobDocument> {
    return {
      $set: { status: JobStatus.Completed, completedAt: now, result: result ?? null, ...(resultError ? { resultError } : {}), ...releasedLease(now) },
      $push: { history: pushBounded([historyEntry(JobStatus.Processing, JobStatus.Completed, lease.workerId, now, `attempt ${attempt} completed`)], this.limits.maxHistoryEntries) },
    } as UpdateFilter<JobDocument>;
  }

  /** processing → scheduled (after a delay) or pending (at once): a failed attempt that will be retried. */
  async failForRetry(lease: Lease, error: JobAttemptError, runAt: Date, lifo: boolean, now: Date): Promise<TransitionResult<{ status: JobStatus; orderKey: number }>> {
    const to = runAt.getTime() > now.getTime() ? JobStatus.Scheduled : JobStatus.Pending;
    const orderKey = orderKeyFor(runAt, lifo);
    const outcome = await this.collection.updateOne(this.leaseGuard(lease), {
      $set: { status: to, runAt, orderKey, lastError: error, failedAt: now, ...releasedLease(now) },
      $push: {
        errors: pushBounded([error], this.limits.maxErrorEntries),
        history: pushBounded([historyEntry(JobStatus.Processing, to, lease.workerId, now, `attempt ${error.attempt} failed: ${error.message}`)], this.limits.maxHistoryEntries),
      },
    });
    return outcome.matchedCount === 1 ? hit({ status: to, orderKey }) : miss(TransitionMiss.Fenced);
  }

  /**
   * processing → dead: the job exhausted its attempts or failed permanently. `dlqPending` stays
   * set until the DLQ entry is written, so a crash in between is repaired by the sweeper.
   */
  async failToDead(lease: Lease, error: JobAttemptError, reason: string, deadLetter: boolean, now: Date): Promise<TransitionResult<JobDocument>> {
    const doc = await this.collection.findOneAndUpdate(
      this.leaseGuard(lease),
      {
        $set: { status: JobStatus.Dead, lastError: error, failedAt: now, dlqPending: deadLetter, ...releasedLease(now) },
        $inc: { deadLetterSeq: 1 },
        $push: {
          errors: pushBounded([error], this.limits.maxErrorEntries),
          history: pushBounded([historyEntry(JobStatus.Processing, JobStatus.Dead, lease.workerId, now, reason)], this.limits.maxHistoryEntries),
        },
      },
      { returnDocument: 'after' },
    );
    return doc ? hit(doc) : miss(TransitionMiss.Fenced);
  }

  /** A waiting or stalled job moved to the DLQ by an admin or the sweeper (not by its lease holder). */
  async markDead(jobId: string, fromStatuses: readonly JobStatus[], by: string, reason: string, now: Date, extra: Filter<JobDocument> = {}): Promise<TransitionResult<JobDocument>> {
    const doc = await this.collection.findOneAndUpdate(
      { ...extra, jobId, status: { $in: [...fromStatuses] } },
      [
        {
          $set: {
            history: appendHistoryExpression(JobStatus.Dead, by, now, this.limits.maxHistoryEntries, reason),
            status: JobStatus.Dead,
            failedAt: now,
            dlqPending: true,
            deadLetterSeq: { $add: [{ $ifNull: ['$deadLetterSeq', 0] }, 1] },
            ...releasedLease(now),
          },
        },
      ] as unknown as UpdateFilter<JobDocument>,
      { returnDocument: 'after' },
    );
    return doc ? hit(doc) : miss(TransitionMiss.WrongStatus);
  }

  /** Clears `dlqPending` once the DLQ entry exists (by `_id`: a reused jobId names another document). */
  async confirmDeadLettered(id: ObjectId, now: Date): Promise<void> {
    await this.collection.updateOne({ _id: id, status: JobStatus.Dead, dlqPending: true }, { $unset: { dlqPending: '' }, $set: { updatedAt: now } });
  }

  /**
   * processing → pending, giving back the attempt the claim counted: a job taken but whose handler
   * never ran (shutdown, pause, job lock held elsewhere). Its history entry says so.
   */
  async returnUnstarted(lease: Lease, reason: string, now: Date): Promise<TransitionResult> {
    const outcome = await this.collection.updateOne(this.leaseGuard(lease), {
      $set: { status: JobStatus.Pending, runStartedAt: null, ...releasedLease(now) },
      $inc: { attempts: -1 },
      $push: { history: pushBounded([historyEntry(JobStatus.Processing, JobStatus.Pending, lease.workerId, now, `${CLAIMED_NOT_STARTED}: ${reason}`)], this.limits.maxHistoryEntries) },
    });
    return outcome.matchedCount === 1 ? hit(undefined) : miss(TransitionMiss.Fenced);
  }

  /** Batched jobs of a queue in a priority range, oldest batch first (the loader's renewal reads them). */
  async findBatched(queue: string, range: { min: number; max: number }, limit: number): Promise<Array<Pick<JobRecord, 'jobId' | 'priority' | 'batchedUntil'>>> {
    return this.collection
      .find({ queue, status: JobStatus.Batched, priority: { $gte: range.min, $lte: range.max } }, { projection: { _id: 0, jobId: 1, priority: 1, batchedUntil: 1 } })
      .sort({ batchedUntil: 1 })
      .limit(limit)
      .toArray() as Promise<Array<Pick<JobRecord, 'jobId' | 'priority' | 'batchedUntil'>>>;
  }

  /** batched stays batched with a later batchedUntil: their ids are still in Redis (not a transition: no audit entry). */
  async renewBatched(jobIds: string[], until: Date, now: Date): Promise<number> {
    if (jobIds.length === 0) return 0;
    const result = await this.collection.updateMany({ jobId: { $in: jobIds }, status: JobStatus.Batched }, { $set: { batchedUntil: until, updatedAt: now } });
    return result.modifiedCount;
  }

  /**
   * batched → pending for jobs whose ids Redis no longer holds (flushed, restarted, unreachable),
   * without waiting for their batch to run out. A claim racing with it still succeeds: claims
   * take pending and batched jobs alike.
   */
  async returnLostBatches(filter: { jobIds: string[] } | { queue: string }, by: string, reason: string, now: Date): Promise<number> {
    const scope: Filter<JobDocument> = 'jobIds' in filter ? { jobId: { $in: filter.jobIds } } : { queue: filter.queue };
    if ('jobIds' in filter && filter.jobIds.length === 0) return 0;
    const result = await this.collection.updateMany(
      { ...scope, status: JobStatus.Batched },
      {
        $set: { status: JobStatus.Pending, batchedUntil: null, updatedAt: now },
        $push: { history: pushBounded([historyEntry(JobStatus.Batched, JobStatus.Pending, by, now, reason)], this.limits.maxHistoryEntries) },
      },
    );
    return result.modifiedCount;
  }

  /** batched → pending for batches whose time ran out (Redis lost them, or nobody took them). */
  async returnExpiredBatches(now: Date): Promise<number> {
    const result = await this.collection.updateMany(
      { status: JobStatus.Batched, batchedUntil: { $lt: now } },
      {
        $set: { status: JobStatus.Pending, batchedUntil: null, updatedAt: now },
        $push: { history: pushBounded([historyEntry(JobStatus.Batched, JobStatus.Pending, 'sweeper', now, 'batch expired')], this.limits.maxHistoryEntries) },
      },
      { hint: JOB_INDEX.batchSweep },
    );
    return result.modifiedCount;
  }

  /**
   * processing → pending for expired leases (the worker died, hung, or never got its claim's
   * reply), in one round trip. A lease whose handler never started gives its attempt back, on its
   * last attempt too; one whose handler started keeps it and returns only with attempts left
   * (findExhaustedStalled takes the others).
   */
  async recoverStalled(now: Date): Promise<number> {
    const expired = { status: JobStatus.Processing, lockedUntil: { $lt: now } };
    const result = await this.collection.bulkWrite(
      [
        {
          updateMany: {
            filter: { ...expired, runStartedAt: null },
            update: {
              $set: { status: JobStatus.Pending, ...releasedLease(now) },
              $inc: { attempts: -1 },
              $push: {
                history: pushBounded([historyEntry(JobStatus.Processing, JobStatus.Pending, 'sweeper', now, `${CLAIMED_NOT_STARTED}: lease expired, attempt given back`)], this.limits.maxHistoryEntries),
              },
            } as UpdateFilter<JobDocument>,
            hint: JOB_INDEX.leaseSweep,
          },
        },
        {
          updateMany: {
            filter: { ...expired, runStartedAt: { $ne: null }, $expr: { $lt: ['$attempts', '$maxAttempts'] } },
            update: {
              $set: { status: JobStatus.Pending, ...releasedLease(now) },
              $push: { history: pushBounded([historyEntry(JobStatus.Processing, JobStatus.Pending, 'sweeper', now, 'lease expired after the handler started')], this.limits.maxHistoryEntries) },
            } as UpdateFilter<JobDocument>,
            hint: JOB_INDEX.leaseSweep,
          },
        },
      ],
      { ordered: false },
    );
    return result.modifiedCount;
  }

  /** Expired leases of jobs whose handler started on their last attempt: the sweeper dead-letters them one by one. */
  async findExhaustedStalled(now: Date, limit: number): Promise<JobDocument[]> {
    return this.collection
      .find({ ...EXHAUSTED_STALLED, lockedUntil: { $lt: now } })
      .hint(JOB_INDEX.leaseSweep)
      .limit(limit)
      .toArray();
  }

  /** scheduled → pending for jobs whose runAt has come; returns them so they can be put into Redis. */
  async promoteDue(queue: string, now: Date, limit: number): Promise<JobDocument[]> {
    const due = await this.collection
      .find({ queue, status: JobStatus.Scheduled, runAt: { $lte: now } }, { projection: { jobId: 1 } })
      .hint(JOB_INDEX.scheduleScan)
      .sort({ runAt: 1 })
      .limit(limit)
      .toArray();
    if (due.length === 0) return [];
    const jobIds = due.map((d) => d.jobId);
    await this.collection.updateMany(
      { jobId: { $in: jobIds }, status: JobStatus.Scheduled },
      {
        $set: { status: JobStatus.Pending, updatedAt: now },
        $push: { history: pushBounded([historyEntry(JobStatus.Scheduled, JobStatus.Pending, 'scheduler', now, 'due')], this.limits.maxHistoryEntries) },
      },
    );
    return this.collection.find({ jobId: { $in: jobIds }, status: JobStatus.Pending }).toArray();
  }

  /** A waiting job of `queue` gets a new runAt (scheduled if in the future, pending otherwise). */
  async reschedule(queue: string, jobId: string, runAt: Date, by: string, now: Date): Promise<TransitionResult<JobDocument>> {
    const to = runAt.getTime() > now.getTime() ? JobStatus.Scheduled : JobStatus.Pending;
    const doc = await this.collection.findOneAndUpdate(
      { jobId, queue, status: { $in: WAITING } },
      [
        {
          $set: {
            history: appendHistoryExpression(to, by, now, this.limits.maxHistoryEntries, `rescheduled to ${runAt.toISOString()}`),
            status: to,
            runAt,
            orderKey: { $cond: ['$lifo', orderKeyFor(runAt, true), orderKeyFor(runAt, false)] },
            batchedUntil: null,
            updatedAt: now,
          },
        },
      ] as unknown as UpdateFilter<JobDocument>,
      { returnDocument: 'after' },
    );
    return doc ? hit(doc) : this.missFor(queue, jobId);
  }

  /** A waiting job of `queue` is cancelled; running and finished jobs cannot be. */
  async cancel(queue: string, jobId: string, by: string, reason: string, now: Date): Promise<TransitionResult<JobDocument>> {
    const doc = await this.collection.findOneAndUpdate(
      { jobId, queue, status: { $in: WAITING } },
      [
        {
          $set: {
            history: appendHistoryExpression(JobStatus.Cancelled, by, now, this.limits.maxHistoryEntries, reason),
            status: JobStatus.Cancelled,
            batchedUntil: null,
            updatedAt: now,
          },
        },
      ] as unknown as UpdateFilter<JobDocument>,
      { returnDocument: 'after' },
    );
    return doc ? hit(doc) : this.missFor(queue, jobId);
  }

  /** Dead jobs of `queue` not yet marked with `mark` (a JobQueue's dead-letter forward), oldest first. */
  async findDeadUnmarked(queue: string, mark: DeadJobMark, limit: number): Promise<JobDocument[]> {
    return this.collection.find({ queue, status: JobStatus.Dead, [mark]: { $exists: false } }).limit(limit).toArray();
  }

  /** Marks a dead job (by `_id`: a reused jobId names another document); a job no longer dead is left alone. */
  async markDeadWith(id: ObjectId, mark: DeadJobMark, now: Date): Promise<void> {
    await this.collection.updateOne({ _id: id, status: JobStatus.Dead }, { $set: { [mark]: now } });
  }

  /** Dead jobs whose DLQ entry may be missing (a crash between the two writes). */
  async findDeadLetterPending(olderThan: Date, limit: number): Promise<JobDocument[]> {
    return this.collection.find({ status: JobStatus.Dead, dlqPending: true, failedAt: { $lt: olderThan } }).hint(JOB_INDEX.dlqRepair).limit(limit).toArray();
  }

  private leaseGuard(lease: Lease): Filter<JobDocument> {
    return { jobId: lease.jobId, status: JobStatus.Processing, lockedBy: lease.workerId, lockToken: lease.lockToken };
  }

  private async missFor<T>(queue: string, jobId: string): Promise<TransitionResult<T>> {
    const exists = await this.collection.countDocuments({ jobId, queue }, { limit: 1 });
    return miss(exists ? TransitionMiss.WrongStatus : TransitionMiss.NotFound);
  }
}

function releasedLease(now: Date): Record<string, unknown> {
  return { lockedBy: null, lockedUntil: null, lockToken: null, batchedUntil: null, updatedAt: now };
}

/** The indexes of documents rejected as duplicate keys, or undefined if the error is anything else. */
function duplicateKeyIndexes(error: unknown): number[] | undefined {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length === 0) return undefined;
  const indexes: number[] = [];
  for (const entry of list as Array<{ code?: number; index?: number; err?: { code?: number; index?: number } }>) {
    const code = entry.code ?? entry.err?.code;
    const index = entry.index ?? entry.err?.index;
    if (code !== 11000 || index === undefined) return undefined;
    indexes.push(index);
  }
  return indexes;
}
