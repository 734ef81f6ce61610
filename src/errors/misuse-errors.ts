import { QueueError } from './queue-error';

/** Bad arguments or configuration: nothing was written; the message says how to fix the call. */

export class ConfigError extends QueueError {
  constructor(message: string, readonly problems: string[] = []) {
    super('INVALID_CONFIG', message, { problems });
  }
}

export class UnknownJobTypeError extends QueueError {
  constructor(readonly jobType: string, known: readonly string[]) {
    super(
      'UNKNOWN_JOB_TYPE',
      `Unknown job type "${jobType}". Register it with registerJob() first; known types: ${known.join(', ') || '(none)'}`,
      { jobType, known: [...known] },
    );
  }
}

export class InvalidJobDataError extends QueueError {
  constructor(readonly jobType: string, readonly problems: string[]) {
    super('INVALID_JOB_DATA', `Invalid data for job type "${jobType}": ${problems.join('; ')}`, { jobType, problems });
  }
}

export class InvalidJobOptionsError extends QueueError {
  constructor(readonly problems: string[]) {
    super('INVALID_JOB_OPTIONS', `Invalid job options: ${problems.join('; ')}`, { problems });
  }
}

export class PriorityOutOfRangeError extends QueueError {
  constructor(readonly priority: number, min: number, max: number) {
    super('PRIORITY_OUT_OF_RANGE', `Priority ${priority} is outside the configured range ${min}–${max}`, {
      priority,
      min,
      max,
    });
  }
}

export class PayloadTooLargeError extends QueueError {
  constructor(readonly sizeBytes: number, readonly limitBytes: number) {
    super(
      'PAYLOAD_TOO_LARGE',
      `Job data is ${sizeBytes} bytes, over the ${limitBytes}-byte limit (QUEUE_MAX_PAYLOAD_BYTES); store large content elsewhere and pass a reference`,
      { sizeBytes, limitBytes },
    );
  }
}

export class InvalidJobDefinitionError extends QueueError {
  constructor(readonly jobType: string, readonly problems: string[]) {
    super('INVALID_JOB_DEFINITION', `Invalid definition of job type "${jobType}": ${problems.join('; ')}`, { jobType, problems });
  }
}

export class DuplicateJobTypeError extends QueueError {
  constructor(readonly jobType: string) {
    super('DUPLICATE_JOB_TYPE', `Job type "${jobType}" is already registered with a different definition`, { jobType });
  }
}

export class JobNotFoundError extends QueueError {
  constructor(readonly jobId: string) {
    super('JOB_NOT_FOUND', `No job with jobId "${jobId}"`, { jobId });
  }
}

export class DlqEntryNotFoundError extends QueueError {
  constructor(readonly entryId: string) {
    super('DLQ_ENTRY_NOT_FOUND', `No dead-letter entry with id "${entryId}"`, { entryId });
  }
}

export class ReprocessLimitError extends QueueError {
  constructor(readonly entryId: string, limit: number) {
    super(
      'REPROCESS_LIMIT_REACHED',
      `Dead-letter entry ${entryId} was already reprocessed ${limit} times (dlq.maxReprocessAttempts); fix the cause and add a new job instead`,
      { entryId, limit },
    );
  }
}

/**
 * Another reprocess of the same DLQ entry won (two admins at once): this caller's corrections
 * were not applied. Names the job that exists, so the admin can look at it and decide.
 */
export class DlqAlreadyReprocessedError extends QueueError {
  constructor(
    readonly entryId: string,
    readonly existingJobId: string,
    readonly reprocessedBy: string | undefined,
  ) {
    super(
      'DLQ_ALREADY_REPROCESSED',
      `Dead-letter entry ${entryId} was already reprocessed${reprocessedBy === undefined ? '' : ` by ${reprocessedBy}`} as job ${existingJobId}; your corrections were not applied. Inspect that job, then reprocess again if it still needs them`,
      { entryId, existingJobId, ...(reprocessedBy === undefined ? {} : { reprocessedBy }) },
    );
  }
}

export class InvalidStateError extends QueueError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_STATE', message, details);
  }
}

export class NotStartedError extends QueueError {
  constructor(what: string) {
    super('NOT_STARTED', `${what} is not started: call start() (or use QueueFactory) before using it`);
  }
}
