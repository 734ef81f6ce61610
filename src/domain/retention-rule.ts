/** What retention keeps of one queue's finished jobs. */
export interface RetentionRule {
  /** Completed jobs stay this long (ms)… */
  completedMaxAgeMs: number;
  /** …and at most this many of them, the newest. */
  completedMaxCount: number;
  /** Dead jobs stay this long (ms); their DLQ entry keeps the full snapshot. */
  failedMaxAgeMs: number;
}

export interface PruneOptions {
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  /** Most jobs beyond the kept count handled by one call (the next call takes the rest). */
  limit?: number;
}

/** Finished jobs a prune removed (or, dry run, would remove). */
export interface PruneOutcome {
  completed: number;
  failed: number;
}

/** Retention of one queue's records, as handlers (the cleanup job) use it. */
export interface QueueRetention {
  /** Deletes the queue's finished jobs past `rule`. */
  pruneJobs(rule: RetentionRule, options?: PruneOptions): Promise<PruneOutcome>;
  /** Deletes the queue's DLQ entries moved before `before` (unreviewed critical ones only with includeCritical). */
  pruneDeadLetters(before: Date, options?: PruneOptions & { includeCritical?: boolean }): Promise<number>;
}
