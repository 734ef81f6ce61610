import { isEqual } from 'mingo/util';
import { cloneValue } from './document-clone';
import { comparePaths, pathInfo } from './update-paths';
import type { Doc } from './types';

/**
 * A direct applier for the operators the job queue's hot path uses: `$set`, `$unset`,
 * `$inc` and `$push` (a value, or `$each` with an optional `$slice`), on plain field
 * paths (no `$` positional, no numeric segment, never `_id`). It copies only the
 * embedded documents on the written paths; everything else is shared with the stored
 * version, which the engine never mutates (see types.ts).
 *
 * Whatever it cannot decide exactly like the mingo path it declines: statically
 * (`compileFastUpdate` returns undefined) or for one document (`FALLBACK`, e.g. `$inc`
 * on a string, a path through an array or scalar), and the caller then takes the
 * mingo path, which raises the right error. No-op detection follows the mingo path
 * (mingo's isEqual for `$set`) except for `$push`, which follows mongod: modified
 * when it created the field, pushed something or `$slice` dropped something.
 */

type Path = readonly string[];
type Step =
  | { op: '$set'; path: Path; value: unknown }
  | { op: '$unset'; path: Path }
  | { op: '$inc'; path: Path; by: number }
  | { op: '$push'; path: Path; each: unknown[]; slice: number | undefined };

export interface FastUpdate {
  /** In mongod's field order, so created fields are appended in that order. */
  readonly steps: readonly Step[];
}

export const FALLBACK = Symbol('fallback');

function isDocNode(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function hasDollarKey(value: Doc): boolean {
  for (const k of Object.keys(value)) if (k.startsWith('$')) return true;
  return false;
}

/** A plain number mingo accepts (it treats NaN as non-numeric). */
function isMingoNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

/** A value `$push` appends as one element: anything but an object that may hold modifiers. */
function isPushValue(arg: unknown): boolean {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg) || arg instanceof Date) return true;
  if (typeof (arg as { _bsontype?: unknown })._bsontype === 'string') return true;
  return isDocNode(arg) && !hasDollarKey(arg);
}

function pushStep(path: Path, arg: unknown): Step | undefined {
  if (isPushValue(arg)) return { op: '$push', path, each: [arg], slice: undefined };
  if (!isDocNode(arg)) return undefined;
  const keys = Object.keys(arg);
  if (!keys.includes('$each') || !keys.every((k) => k === '$each' || k === '$slice')) return undefined;
  const { $each: each, $slice: slice } = arg;
  if (!Array.isArray(each)) return undefined;
  if (slice !== undefined && !Number.isInteger(slice)) return undefined;
  return { op: '$push', path, each, slice: slice as number | undefined };
}

/** The plan for an operator update (after `$setOnInsert` merging), or undefined when unsupported. */
export function compileFastUpdate(ops: Record<string, Doc>): FastUpdate | undefined {
  const steps: Step[] = [];
  for (const op of Object.keys(ops)) {
    const arg = ops[op];
    for (const rawPath of Object.keys(arg)) {
      const value = arg[rawPath];
      const info = pathInfo(rawPath);
      if (!info.plain) return undefined;
      const path = info.segments;
      let step: Step | undefined;
      switch (op) {
        case '$set': step = { op, path, value }; break;
        case '$unset': step = { op, path }; break;
        case '$inc': step = isMingoNumber(value) ? { op, path, by: value } : undefined; break;
        case '$push': step = pushStep(path, value); break;
        default: step = undefined;
      }
      if (!step) return undefined;
      steps.push(step);
    }
  }
  steps.sort((a, b) => comparePaths(a.path, b.path));
  return { steps };
}

/** `old` followed by copies of `each`, cut by `$slice`, built in one array (old elements are shared). */
function pushed(old: unknown[], each: unknown[], slice: number | undefined): unknown[] {
  const total = old.length + each.length;
  let start = 0;
  let end = total;
  if (slice !== undefined && slice >= 0) end = Math.min(total, slice);
  else if (slice !== undefined) start = Math.max(0, total + slice);
  const out: unknown[] = [];
  for (let i = start; i < end; i++) out.push(i < old.length ? old[i] : cloneValue(each[i - old.length]));
  return out;
}

/**
 * A copy to add fields to. Not `{ ...doc }`: V8 gives a spread copy a map without
 * transitions, so each field added to it costs microseconds. Object.assign would call
 * the `__proto__` setter for an own `__proto__` field: those documents are spread.
 */
function shallowCopy(doc: Doc): Doc {
  return Object.prototype.hasOwnProperty.call(doc, '__proto__') ? { ...doc } : Object.assign({}, doc);
}

/**
 * A field write that keeps `doc` a fast-properties object: V8 turns an object into a slow
 * dictionary when fields are added by computed-key assignment past a dozen or so, and
 * every later copy and read of it pays for that. Defining the field does not.
 */
function setField(doc: Doc, key: string, value: unknown): void {
  if (Object.prototype.hasOwnProperty.call(doc, key)) doc[key] = value;
  else Object.defineProperty(doc, key, { value, writable: true, enumerable: true, configurable: true });
}

const NO_OP = Symbol('no-op');
const DELETE = Symbol('delete');

/** The leaf's new value, NO_OP, DELETE or FALLBACK. `leaf` is undefined when the field is missing. */
function leafResult(step: Step, leaf: unknown, present: boolean): unknown {
  switch (step.op) {
    case '$set':
      return isEqual(leaf, step.value) ? NO_OP : cloneValue(step.value);
    case '$unset':
      return present ? DELETE : NO_OP;
    case '$inc':
      if (leaf === undefined) return 0 + step.by;
      if (!isMingoNumber(leaf)) return FALLBACK;
      return leaf + step.by === leaf ? NO_OP : leaf + step.by;
    case '$push': {
      if (leaf !== undefined && !Array.isArray(leaf)) return FALLBACK;
      const old = leaf ?? [];
      const next = pushed(old, step.each, step.slice);
      const modified = leaf === undefined || step.each.length > 0 || next.length < old.length;
      return modified ? next : NO_OP;
    }
  }
}

/**
 * The new version of `doc`, undefined when nothing changes, or FALLBACK when this
 * document needs the mingo path. Never mutates `doc`.
 */
export function applyFastUpdate(doc: Doc, plan: FastUpdate): Doc | undefined | typeof FALLBACK {
  let root: Doc | undefined;
  /** Embedded documents this update created (copies or new): besides `root`, the only ones it may write to. */
  let owned: Set<Doc> | undefined;
  let changed = false;
  for (const step of plan.steps) {
    const { path } = step;
    const last = path.length - 1;
    // Read the current state (the new version once there is one) without copying.
    let parent: Doc | undefined = root ?? doc;
    for (let i = 0; i < last && parent; i++) {
      const child: unknown = parent[path[i]];
      if (isDocNode(child)) parent = child;
      else if (child === undefined || (child === null && step.op === '$unset')) parent = undefined;
      else return FALLBACK; // mingo's path raises 28 (or handles arrays)
    }
    if (!parent && step.op === '$unset') continue;
    const key = path[last];
    const present = parent !== undefined && Object.prototype.hasOwnProperty.call(parent, key);
    const result = leafResult(step, parent?.[key], present);
    if (result === FALLBACK) return FALLBACK;
    if (result === NO_OP) continue;
    // Copy on write: the root and each embedded document on the path, once per update.
    root ??= shallowCopy(doc);
    let target: Doc = root;
    for (let i = 0; i < last; i++) {
      const child = target[path[i]];
      let next: Doc;
      if (isDocNode(child) && owned?.has(child)) next = child;
      else {
        next = isDocNode(child) ? shallowCopy(child) : {};
        (owned ??= new Set()).add(next);
        target[path[i]] = next;
      }
      target = next;
    }
    if (result === DELETE) {
      // Deleting an undefined-valued field is no modification (as in mingo's $unset).
      if (target[key] !== undefined) changed = true;
      delete target[key];
    } else {
      setField(target, key, result);
      changed = true;
    }
  }
  return changed ? root : undefined;
}
