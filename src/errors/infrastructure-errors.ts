import { QueueError } from './queue-error';

/**
 * MongoDB could not be reached in time, so nothing could be confirmed as written. The operation
 * may still have reached MongoDB: repeat it with the same jobId, which is safe (deduplicated).
 */
export class StorageUnavailableError extends QueueError {
  constructor(readonly operation: string, readonly timeoutMs: number, cause?: unknown) {
    const detail = cause instanceof Error ? ` (${cause.name}: ${cause.message})` : '';
    super(
      'STORAGE_UNAVAILABLE',
      `MongoDB did not answer ${operation} within ${timeoutMs} ms${detail}. Check that MongoDB is running and reachable at mongodb.uri ` +
        `(network, credentials, replica set primary); the write may still have been applied, so retry with the same jobId ` +
        `(a repeated jobId is deduplicated). The bound is mongodb.storageTimeoutMs.`,
      { operation, timeoutMs, ...(cause instanceof Error ? { cause: `${cause.name}: ${cause.message}` } : {}) },
    );
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}
