import { isAbsolute, relative, resolve } from 'node:path';
import { PermanentJobError } from '../src/errors';

/**
 * Resolves `requested` inside `root`, refusing anything that escapes it (`..`, absolute paths
 * elsewhere): a path outside the allowed folder is a permanent error, never retried.
 */
export function confinedPath(root: string, requested: string): string {
  const full = resolve(root, requested);
  const rel = relative(root, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new PermanentJobError(`path "${requested}" is outside the allowed folder ${root}`, 'PATH_NOT_ALLOWED');
  }
  return full;
}
