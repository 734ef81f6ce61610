import { setOwn } from './document-paths';
import { isPlainObject } from './bson-order';
import type { Doc } from './types';

/**
 * Copies plain objects and arrays, sharing everything else. bson values (ObjectId,
 * Binary, Long...) and Dates are treated as immutable by the engine, so sharing
 * them is safe and keeps their classes. This is what makes copy-on-write cheap.
 */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneValue) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) setOwn(out, k, cloneValue(value[k]));
    return out as T;
  }
  return value;
}

export function cloneDoc(doc: Doc): Doc {
  return cloneValue(doc);
}
