import { constants } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { PermanentJobError } from '../src/errors';
import { ensurePrivateBase, isUnderDefaultBase } from './private-folder';

/**
 * File access confined to a folder, safe against links.
 *
 * Text checks alone are not enough: `uploads/avatar.png -> ../secret.txt` or `processed/sub -> ..`
 * pass any check on the path's text. So the helper
 * 1. resolves the root's real path and walks the target's folders one by one, following a link
 *    only when its real path stays inside the root (creating missing folders, 0700, for writes);
 * 2. resolves the file itself the same way when it exists;
 * 3. opens the resolved path with O_NOFOLLOW, so a link put in place of the file after the check
 *    fails to open, and then asks the kernel where the opened descriptor really is
 *    (`/proc/self/fd/N`), so a folder swapped for a link after the check is caught too.
 * A write opens without O_TRUNC and truncates only after step 3 passed: a swap can at worst
 * leave an empty new file where it pointed, never change an existing one.
 */

export type ConfinedAccess = 'read' | 'write';

export interface ConfinedFile {
  /** The file's real path (inside the root's real path). */
  path: string;
  /** Open for reading, or for writing and already emptied. The caller closes it (streams made from it close it themselves). */
  handle: FileHandle;
}

export interface ConfinedOpenOptions {
  /** Runs after the checks and before the open: where a swap by someone else would happen (tests put one there). */
  beforeOpen?: (path: string) => Promise<void>;
}

function refused(requested: string, root: string, why: string): PermanentJobError {
  return new PermanentJobError(`path "${requested}" is outside the allowed folder ${root} (${why})`, 'PATH_NOT_ALLOWED');
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Resolves `requested` inside `root` by its text only, refusing anything that escapes it (`..`,
 * absolute paths elsewhere). Says nothing about links: open files with `openInFolder`.
 */
export function confinedPath(root: string, requested: string): string {
  const full = resolve(root, requested);
  if (!inside(resolve(root), full)) throw refused(requested, root, 'the path leaves it');
  return full;
}

/** The root's real path; for writes the root is created (0700) when missing. */
async function realRoot(root: string, access: ConfinedAccess): Promise<string> {
  if (isUnderDefaultBase(root)) await ensurePrivateBase();
  if (access === 'write') await mkdir(root, { recursive: true, mode: 0o700 });
  return realpath(root);
}

/** The real path of `path` if it exists (links resolved), refused when that leaves `root`. */
async function existingRealPath(root: string, path: string, requested: string, shownRoot: string): Promise<string | undefined> {
  const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (real !== undefined && !inside(root, real)) throw refused(requested, shownRoot, `a link leads to ${real}`);
  return real;
}

/** Walks the folders between the root and the file, resolving links one step at a time; creates missing ones for writes. */
async function realParent(root: string, folders: string[], access: ConfinedAccess, requested: string, shownRoot: string): Promise<string> {
  let current = root;
  for (const name of folders) {
    const next = join(current, name);
    let real = await existingRealPath(root, next, requested, shownRoot);
    if (real === undefined) {
      if (access === 'read') throw Object.assign(new Error(`ENOENT: no such file or directory, open '${join(next, '…')}'`), { code: 'ENOENT' });
      await mkdir(next, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      real = await existingRealPath(root, next, requested, shownRoot);
      if (real === undefined) throw refused(requested, shownRoot, 'a folder on the path vanished while it was created');
    }
    if (!(await lstat(real)).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, open '${real}'`), { code: 'ENOTDIR' });
    current = real;
  }
  return current;
}

/** Where the kernel says an open descriptor is; undefined where /proc is not available. */
async function openedPath(handle: FileHandle): Promise<string | undefined> {
  return readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
}

/** After the open: the descriptor must be the resolved file, not something a swapped link led to. */
async function assertOpenedAt(handle: FileHandle, path: string, requested: string, shownRoot: string): Promise<void> {
  const kernelPath = await openedPath(handle);
  if (kernelPath !== undefined) {
    if (kernelPath !== path) throw refused(requested, shownRoot, `it was swapped for a link to ${kernelPath} while being opened`);
    return;
  }
  // Without /proc: the folder must still resolve to itself and hold the very file that was opened.
  const [opened, named, folder] = await Promise.all([handle.stat(), lstat(path), realpath(dirname(path))]);
  if (folder !== dirname(path) || opened.dev !== named.dev || opened.ino !== named.ino) throw refused(requested, shownRoot, 'it was swapped while being opened');
}

/**
 * Opens `requested` (relative to `root`; absolute only if inside it) for reading or writing,
 * confined to `root` whatever links lie on the way. A missing file to read is the usual ENOENT.
 */
export async function openConfined(root: string, requested: string, access: ConfinedAccess, options: ConfinedOpenOptions = {}): Promise<ConfinedFile> {
  const lexical = confinedPath(root, requested);
  const rootReal = await realRoot(resolve(root), access);
  const folders = relative(resolve(root), dirname(lexical)).split(sep).filter(Boolean);
  const parent = await realParent(rootReal, folders, access, requested, root);
  const named = join(parent, basename(lexical));
  const path = (await existingRealPath(rootReal, named, requested, root)) ?? named;
  await options.beforeOpen?.(path);
  const flags = access === 'read' ? constants.O_RDONLY | constants.O_NOFOLLOW : constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;
  const handle = await open(path, flags, 0o600).catch((error: NodeJS.ErrnoException) => {
    // O_NOFOLLOW met a link where the checked file was.
    if (error.code === 'ELOOP') throw refused(requested, root, 'it was swapped for a link while being opened');
    throw error;
  });
  try {
    await assertOpenedAt(handle, path, requested, root);
    if (access === 'write') await handle.truncate(0);
    return { path, handle };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads a whole confined file. */
export async function readConfined(root: string, requested: string): Promise<{ path: string; content: Buffer }> {
  const { path, handle } = await openConfined(root, requested, 'read');
  try {
    return { path, content: await handle.readFile() };
  } finally {
    await handle.close();
  }
}

/** Writes a whole confined file (created 0600, folders 0700). Returns its real path. */
export async function writeConfined(root: string, requested: string, content: Buffer | string): Promise<string> {
  const { path, handle } = await openConfined(root, requested, 'write');
  try {
    await handle.writeFile(content);
    return path;
  } finally {
    await handle.close();
  }
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

/** The relative path a `folderPathSchema` path names inside its folder (the leading `/` dropped). */
export function inFolder(requested: string): string {
  return requested.replace(/^[\\/]+/, '');
}
