import { Query } from 'mingo/query';
import { withIdFirst } from './document-paths';
import { toEngineError } from './engine-errors';
import { BASE_OPTIONS } from './mingo-context';
import type { Doc } from './types';

/**
 * Applies a find projection, then restores `_id` first. Exclusions of top-level fields
 * (the job queue's claim read) are applied directly; the rest with
 * mingo, which knows $slice, $elemMatch and the positional `.$` (the latter needing
 * the query).
 */
export function project(docs: Doc[], projection: Doc | undefined, filter: Doc | undefined): Doc[] {
  if (!projection || Object.keys(projection).length === 0 || docs.length === 0) return docs;
  const direct = topLevelProjection(projection);
  if (direct) return docs.map(direct);
  return projectWithMingo(docs, projection, filter);
}

/** The general path (also the reference the direct one is tested against). */
export function projectWithMingo(docs: Doc[], projection: Doc, filter: Doc | undefined): Doc[] {
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  try {
    const query = new Query(positional && filter ? filter : {}, BASE_OPTIONS);
    return query.find(docs, projection).all().map((d: unknown) => withIdFirst(d as Doc));
  } catch (err) {
    throw toEngineError(err);
  }
}

/**
 * An exclusion of top-level fields only (each 0 or false, `_id` included): the document
 * without them, `_id` first, the others in their order. Undefined for anything else (inclusions keep
 * mingo's field order).
 */
export function topLevelProjection(projection: Doc): ((doc: Doc) => Doc) | undefined {
  const excluded = new Set<string>();
  for (const key of Object.keys(projection)) {
    const value = projection[key];
    if (value !== 0 && value !== false) return undefined;
    if (key === '' || key.includes('.') || key.startsWith('$')) return undefined;
    excluded.add(key);
  }
  return (doc) => {
    const out: Doc = {};
    const keepId = !excluded.has('_id') && doc._id !== undefined;
    if (keepId) out._id = doc._id;
    for (const key of Object.keys(doc)) {
      if (excluded.has(key) || (keepId && key === '_id')) continue;
      // An own `__proto__` field must be defined: assigning it would set the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: doc[key], writable: true, enumerable: true, configurable: true });
      else out[key] = doc[key];
    }
    return out;
  };
}
