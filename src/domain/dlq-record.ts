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
}
