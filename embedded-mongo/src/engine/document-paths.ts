import { isPlainObject } from './bson-order';
import type { Doc } from './types';

/**
 * Reading dotted paths the way indexes and sorts see them: arrays met along the
 * path fan out to their elements, and a leaf array contributes each element.
 */
export interface PathValues {
  values: unknown[];
  /** True when an array was expanded (the value is multikey). */
  expanded: boolean;
}

export function pathValues(doc: Doc, path: string): PathValues {
  const out: unknown[] = [];
  const state = { expanded: false };
  collect(doc, path.split('.'), 0, out, state);
  return { values: out, expanded: state.expanded };
}

function collect(value: unknown, parts: string[], i: number, out: unknown[], state: { expanded: boolean }): void {
  if (i === parts.length) {
    if (Array.isArray(value)) {
      state.expanded = true;
      if (value.length === 0) out.push(undefined);
      for (const v of value) out.push(v);
    } else {
      out.push(value);
    }
    return;
  }
  if (Array.isArray(value)) {
    state.expanded = true;
    const seg = parts[i];
    if (/^\d+$/.test(seg)) {
      collect(value[Number(seg)], parts, i + 1, out, state);
      return;
    }
    if (value.length === 0) out.push(undefined);
    for (const el of value) {
      if (isPlainObject(el)) collect(el[seg], parts, i + 1, out, state);
      else if (Array.isArray(el)) collect(el, parts, i, out, state);
      else out.push(undefined);
    }
    return;
  }
  if (isPlainObject(value)) {
    collect(value[parts[i]], parts, i + 1, out, state);
    return;
  }
  out.push(undefined);
}

/** The value at a dotted path without fanning out (numeric segments index arrays). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/** Sets a dotted path, creating embedded documents on the way (used to build upsert seeds). */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!isPlainObject(next)) {
      const created: Record<string, unknown> = {};
      cur[parts[i]] = created;
      cur = created;
    } else {
      cur = next;
    }
  }
  cur[parts[parts.length - 1]] = value;
}

/** mongod stores `_id` as the first field. Returns the same object when it already is. */
export function withIdFirst(doc: Doc): Doc {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' || !('_id' in doc)) return doc;
  // Not `{ _id: ... }` then keyed stores: V8 turns that object into a slow dictionary.
  const out: Doc = {};
  out._id = doc._id;
  for (const k of keys) if (k !== '_id') setOwn(out, k, doc[k]);
  return out;
}

/** Sets an own field; a field named `__proto__` (legal in BSON) stays a field, never a prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
