import type { ObjectId } from 'mongodb';
import type { JobRecord } from './job-record';
import type { PriorityBand } from './priority-band';

export const DlqSeverity = {
  Critical: 'critical',
  High: 'high',
  Medium: 'medium',
  Low: 'low',
} as const;
export type DlqSeverity = (typeof DlqSeverity)[keyof typeof DlqSeverity];

const SEVERITY_BY_BAND: Record<PriorityBand, DlqSeverity> = {
  CRITICAL: DlqSeverity.Critical,
  HIGH: DlqSeverity.High,
  NORMAL: DlqSeverity.Medium,
  LOW: DlqSeverity.Low,
};

export function severityOf(band: PriorityBand): DlqSeverity {
  return SEVERITY_BY_BAND[band];
}

/** Why a job ended in the DLQ, classified from its last error. */
export const FailureReason = {
  Timeout: 'timeout',
  PermanentError: 'permanent_error',
  InvalidData: 'invalid_data',
  Stalled: 'stalled',
  NetworkError: 'network_error',
  HandlerError: 'handler_error',
  Manual: 'manual',
} as const;
export type FailureReason = (typeof FailureReason)[keyof typeof FailureReason];

export interface DlqReview {
  by: string;
  at: Date;
  note?: string;
}

/** Job options a reprocess may correct besides the data (see DlqService.reprocess). */
export interface DlqOptionCorrections {
  priority?: number;
  maxAttempts?: number;
  /** Milliseconds before the new job may run. */
  delay?: number;
  /** Earliest time the new job may run; wins over `delay`. */
  scheduledFor?: Date | string | number;
}

export interface DlqReprocessRecord {
  by: string;
  at: Date;
  /** Everything the admin passed, as given. */
  corrections?: Record<string, unknown>;
  /** The part merged into the new job's data. */
  dataCorrections?: Record<string, unknown>;
  /** The part applied to the new job's options. */
  optionCorrections?: DlqOptionCorrections;
  newJobId: string;
}

/** Whether a reprocess call added the entry's new job or found another admin had already done so. */
export const DlqReprocessOutcome = {
  Applied: 'applied',
  AlreadyReprocessed: 'already_reprocessed',
} as const;
export type DlqReprocessOutcome = (typeof DlqReprocessOutcome)[keyof typeof DlqReprocessOutcome];

/** One reprocess call, won or lost: the audit of who tried what (see DlqService.reprocess). */
export interface DlqReprocessAttempt {
  by: string;
  at: Date;
  outcome: DlqReprocessOutcome;
  /** The reprocess count the caller read. */
  expectedCount: number;
  /** Applied: the job this call added; already reprocessed: the job that exists instead. */
  newJobId: string;
  corrections?: Record<string, unknown>;
}

/** The job fields a dead-letter entry keeps as its snapshot. */
type JobSnapshot = Pick<JobRecord, 'jobId' | 'queue' | 'type' | 'data' | 'priority' | 'band' | 'attempts' | 'maxAttempts' | 'errors' | 'history' | 'lastError'>;

/** A dead-letter entry (`dead_letter_jobs`): the job's snapshot plus the admin workflow around it. */
export interface DlqRecord extends JobSnapshot {
  severity: DlqSeverity;
  failureReason: FailureReason;
  reasonText: string;
  jobCreatedAt: Date;
  movedAt: Date;
  review?: DlqReview | null;
  reprocessHistory: DlqReprocessRecord[];
  reprocessCount: number;
  /**
   * The failure occurrence this entry records: the dead job document's `_id` and its
   * `deadLetterSeq`. Unique together, so a reused jobId gets a new entry and a repeated move
   * never makes two. Absent on entries written before entries were keyed this way.
   */
  jobRef?: ObjectId;
  deadLetterSeq?: number;
  /** 1 for the first entry of this jobId, 2 for the next failure of a reused jobId, … */
  occurrence?: number;
  /** Every reprocess call on this entry, including those refused because another admin won. */
  reprocessAttempts?: DlqReprocessAttempt[];
  /** Set from winning a reprocess until its new job is added: a crash in between is finished by the next call. */
  reprocessPending?: string | null;
}
