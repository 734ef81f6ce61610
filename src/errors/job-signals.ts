/**
 * Errors a handler throws to steer what happens next. Any other error is a failed
 * attempt that is retried with the job's backoff until maxAttempts is reached.
 */

/** The job can never succeed (bad input, missing resource): skip remaining attempts, go to the DLQ. */
export class PermanentJobError extends Error {
  readonly code: string;
  constructor(message: string, code = 'PERMANENT_FAILURE', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
    this.code = code;
  }
}

/** Try again after `delayMs` instead of the configured backoff; still counts as an attempt. */
export class RetryJobError extends Error {
  readonly code: string;
  constructor(message: string, readonly delayMs: number, code = 'RETRY_REQUESTED', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryJobError';
    this.code = code;
  }
}

/** Raised by the runner when a handler exceeds its timeout; its AbortSignal fires first. */
export class JobTimeoutError extends Error {
  readonly code = 'JOB_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`Handler did not finish within ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** Raised inside a handler's context when the worker is shutting down past its grace period. */
export class JobAbortedError extends Error {
  readonly code = 'JOB_ABORTED';
  constructor(reason: string) {
    super(reason);
    this.name = 'JobAbortedError';
  }
}

/**
 * The handler's AbortSignal reason when its lease was lost: the extension was refused because
 * the job moved on (expired and taken by another worker, or changed by an admin). Its result
 * would be refused too, so the handler should stop its side effects.
 */
export class LeaseLostError extends Error {
  readonly code = 'LEASE_LOST';
  constructor(readonly jobId: string) {
    super(`lease of job ${jobId} lost: another worker may now hold it, or an admin changed it`);
    this.name = 'LeaseLostError';
  }
}
