import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
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

/**
 * A path a payload gives inside a configured folder. A leading `/` means the folder itself, not
 * the machine's root: `/exports/a.csv` and `exports/a.csv` both name `<folder>/exports/a.csv`.
 * A `..` segment is refused when the job is added, so a traversal never reaches a worker.
 */
export const folderPathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.includes('\0'), { message: 'must not contain NUL characters' })
  .refine((p) => !p.split(/[\\/]+/).includes('..'), { message: 'must not contain ".." segments: paths stay inside the configured folder' })
  .refine((p) => p.replace(/^[\\/]+/, '') !== '', { message: 'must name a file inside the configured folder' });

/** The file a `folderPathSchema` path names inside `root` (still confined: defence in depth). */
export function pathInFolder(root: string, requested: string): string {
  return confinedPath(root, requested.replace(/^[\\/]+/, ''));
}
