import { lstat, mkdir } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, relative, isAbsolute } from 'node:path';
import { PermanentJobError } from '../src/errors';

/** Who owns the default folders: the uid where there is one, else the account name (Windows). */
function owner(): string {
  return process.getuid ? String(process.getuid()) : userInfo().username.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * The base of the handlers' default folders: `<tmpdir>/queue-jobs-<uid>`, one per user and
 * private to it (0700). A shared `/tmp/queue-jobs` let another local user plant links before the
 * worker created its folders; a per-user folder that is checked before use cannot be planted.
 */
export const DEFAULT_JOB_FILES_BASE = join(tmpdir(), `queue-jobs-${owner()}`);

/** Private-folder checks are made once per folder and process; a folder that passed stays trusted. */
const checked = new Set<string>();

/**
 * Creates the default base (0700) if missing and refuses it unless it is a real folder owned by
 * this process's user that nobody else may enter: someone else's folder (created first, to plant
 * links in it) or a link must never be written into.
 */
export async function ensurePrivateBase(base: string = DEFAULT_JOB_FILES_BASE): Promise<void> {
  if (checked.has(base)) return;
  await mkdir(base, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const info = await lstat(base);
  const uid = process.getuid?.();
  const problem = !info.isDirectory()
    ? 'is not a folder (a link or a file)'
    : uid !== undefined && info.uid !== uid
      ? `belongs to uid ${info.uid}, not to this process (uid ${uid})`
      : process.platform !== 'win32' && (info.mode & 0o077) !== 0
        ? `is open to other users (mode ${(info.mode & 0o777).toString(8)})`
        : undefined;
  if (problem) {
    throw new PermanentJobError(
      `the default job files folder ${base} ${problem}: remove it (it is re-created private) or set the handler folder variables (UPLOAD_DIR, EXPORT_DIR, ...) to folders of your own`,
      'UNSAFE_FOLDER',
    );
  }
  checked.add(base);
}

/** True when `path` lies inside (or is) the default base, whose privacy must be checked before use. */
export function isUnderDefaultBase(path: string): boolean {
  const rel = relative(DEFAULT_JOB_FILES_BASE, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
