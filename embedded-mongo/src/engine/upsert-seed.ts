import { ObjectId } from 'bson';
import { isPlainObject, tagOf } from './bson-order';
import { setPath, withIdFirst } from './document-paths';
import { cloneValue } from './document-clone';
import { applyUpdate } from './update-apply';
import type { ParsedUpdate } from './update-parse';
import type { Doc } from './types';

/**
 * The document an upsert inserts: the query's equality predicates (also inside
 * `$and`), then the update with `$setOnInsert`, then a generated `_id` if none.
 * A replacement upsert keeps only the query's `_id`.
 */
function seedFromQuery(query: Doc, seed: Doc): void {
  for (const [key, cond] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(cond)) {
      for (const part of cond) if (isPlainObject(part)) seedFromQuery(part, seed);
      continue;
    }
    if (key.startsWith('$')) continue;
    let value: unknown = cond;
    if (isPlainObject(cond)) {
      const keys = Object.keys(cond);
      if (keys.length > 0 && keys[0].startsWith('$')) {
        if (!('$eq' in cond)) continue;
        value = cond.$eq;
      }
    }
    if (tagOf(value) === 'regex') continue;
    setPath(seed, key, cloneValue(value));
  }
}

export function buildUpsertDocument(query: Doc, parsed: ParsedUpdate, arrayFilters?: Doc[]): Doc {
  const seed: Doc = {};
  seedFromQuery(query ?? {}, seed);
  let doc: Doc;
  if (parsed.kind === 'replacement') {
    doc = { ...parsed.doc };
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  } else {
    doc = applyUpdate(seed, parsed, { isInsert: true, arrayFilters, condition: query }) ?? seed;
  }
  if (doc._id === undefined) {
    delete doc._id;
    doc = { _id: new ObjectId(), ...doc };
  }
  return withIdFirst(doc);
}
