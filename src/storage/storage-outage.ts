import { StorageUnavailableError } from '../errors';

/**
 * Driver errors that mean "MongoDB was not reachable" rather than "MongoDB refused this write".
 * Matched by name and label, not by class: mongoose may carry its own copy of the driver.
 */
const UNREACHABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoOperationTimeoutError',
  'MongoServerClosedError',
]);
const UNREACHABLE_LABELS = ['ResetPool', 'RetryableWriteError', 'NetworkError', 'PoolRequestedRetry'];

/** True when `error` (or what it wraps) says MongoDB could not be reached. */
export function isStorageUnreachable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const candidate = e as { name?: string; errorLabels?: unknown; writeErrors?: unknown[]; code?: unknown; errorLabelSet?: Set<string> };
    if (candidate.name && UNREACHABLE_NAMES.has(candidate.name)) return true;
    if (e instanceof StorageUnavailableError) return true;
    const labels = candidate.errorLabelSet ?? new Set(Array.isArray(candidate.errorLabels) ? (candidate.errorLabels as string[]) : []);
    if (UNREACHABLE_LABELS.some((label) => labels.has(label))) return true;
    // A bulk write that failed as a whole (no write errors, no server code) wraps a driver error.
    if (candidate.name === 'MongoBulkWriteError' && candidate.code === undefined && (candidate.writeErrors?.length ?? 0) === 0) return true;
  }
  return false;
}

/**
 * Runs a MongoDB operation a caller waits on, within `timeoutMs`: an unreachable server or no
 * answer in time becomes StorageUnavailableError (code STORAGE_UNAVAILABLE); any other error
 * (a duplicate key, a validation error) passes through unchanged.
 */
export async function withinStorageDeadline<T>(operation: string, timeoutMs: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StorageUnavailableError(operation, timeoutMs)), timeoutMs);
  });
  const attempt = run();
  // The deadline may win: the late answer (or error) of the operation is then dropped.
  attempt.catch(() => undefined);
  try {
    return await Promise.race([attempt, deadline]);
  } catch (error) {
    if (error instanceof StorageUnavailableError) throw error;
    if (isStorageUnreachable(error)) throw new StorageUnavailableError(operation, timeoutMs, error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
