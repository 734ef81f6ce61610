import { isPlainObject } from './bson-order';
import type { Doc } from './types';

/**
 * Facts about update paths, and the order in which mongod (5.0+) applies them: all
 * operators' paths merged into one tree whose children are visited by field name,
 * byte-wise (numeric names numerically). Fields an update creates are appended in
 * that order, whatever order the update document listed them in.
 */

/** A code unit's rank in code point order: surrogates (code points past U+FFFF) sort after U+E000-U+FFFF. */
function unitRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x10000 : unit;
}

/** Byte-wise (UTF-8) order, which is code point order; JS string order differs only past U+D7FF. */
export function compareFieldNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

/** Tree order of two paths given as segments (a path never prefixes another: parse rejects conflicts). */
export function comparePaths(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareFieldNames(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

const ARRAY_INDEX = /^\d+$/;

/** What the engine needs to know about one update path, computed once per distinct path. */
export interface PathInfo {
  readonly segments: readonly string[];
  /** Some segment is empty (`a..b`, `a.`): parse error 56. */
  readonly hasEmptySegment: boolean;
  /** The segments before the first one addressing array elements (`$`, `$[]`, `$[id]`, `0`). */
  readonly written: readonly string[];
  /** No element segment, no `$` anywhere, no `_id` and no inherited name (`__proto__`...): the fast path may walk it. */
  readonly plain: boolean;
}

const pathInfos = new Map<string, PathInfo>();
const PATH_CACHE_LIMIT = 10_000;

export function pathInfo(path: string): PathInfo {
  let info = pathInfos.get(path);
  if (info) return info;
  const segments = path.split('.');
  const cut = segments.findIndex((s) => s.startsWith('$') || ARRAY_INDEX.test(s));
  info = {
    segments,
    hasEmptySegment: segments.includes(''),
    written: cut < 0 ? segments : segments.slice(0, cut),
    plain: cut < 0 && !path.includes('$') && segments[0] !== '_id' && !segments.some((s) => s in Object.prototype),
  };
  if (pathInfos.size >= PATH_CACHE_LIMIT) pathInfos.clear();
  pathInfos.set(path, info);
  return info;
}

/** The paths an operator update writes (see PathInfo.written), including `$rename` targets. */
export function writtenPaths(ops: Record<string, Doc>): Array<readonly string[]> {
  const out: Array<readonly string[]> = [];
  for (const op of Object.keys(ops)) {
    const arg = ops[op];
    for (const path of Object.keys(arg)) {
      out.push(pathInfo(path).written);
      const target = arg[path];
      if (op === '$rename' && typeof target === 'string') out.push(pathInfo(target).written);
    }
  }
  return out;
}

interface PathTrie {
  children: Map<string, PathTrie>;
}

function trieOf(paths: ReadonlyArray<readonly string[]>): PathTrie {
  const root: PathTrie = { children: new Map() };
  for (const segs of paths) {
    let node = root;
    for (const seg of segs) {
      let next = node.children.get(seg);
      if (!next) {
        next = { children: new Map() };
        node.children.set(seg, next);
      }
      node = next;
    }
  }
  return root;
}

const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

function reorder(before: Doc | undefined, after: Doc, trie: PathTrie): void {
  const created: string[] = [];
  for (const [key, child] of trie.children) {
    if (!hasOwn(after, key)) continue;
    // JS keeps integer-like keys first whatever we do; leave them be.
    if ((!before || !hasOwn(before, key)) && !ARRAY_INDEX.test(key)) created.push(key);
    const value = after[key];
    if (child.children.size > 0 && isPlainObject(value)) {
      const old = before?.[key];
      reorder(isPlainObject(old) ? old : undefined, value, child);
    }
  }
  if (created.length < 2) return;
  created.sort(compareFieldNames);
  for (const key of created) {
    const value = after[key];
    delete after[key];
    after[key] = value;
  }
}

/**
 * Puts the fields an update created into mongod's order, in place. `after` must be
 * the update's own copy (mingo appends new fields in the update document's order).
 */
export function orderCreatedFields(before: Doc, after: Doc, paths: ReadonlyArray<readonly string[]>): void {
  reorder(before, after, trieOf(paths));
}
