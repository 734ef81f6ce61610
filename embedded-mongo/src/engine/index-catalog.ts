import { bsonEquals } from './bson-order';
import {
  badValue, cannotCreateIndex, indexKeySpecsConflict, indexOptionsConflict,
} from './engine-errors';
import type { Doc, IndexSpec } from './types';

/** Validation and naming of index specs, and MongoDB's rules for conflicting definitions. */

export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.keys(key).map((f) => `${f}_${String(key[f])}`).join('_');
}

export const ID_INDEX: IndexSpec = { key: { _id: 1 }, name: '_id_' };

/** Checks a requested spec and returns it in canonical form (only the options the engine honours). */
export function normalizeIndexSpec(raw: IndexSpec | Doc): IndexSpec {
  const spec = raw as Doc;
  const key = spec.key;
  if (key === null || typeof key !== 'object' || Array.isArray(key) || Object.keys(key).length === 0) {
    throw cannotCreateIndex('Index key pattern must be a non-empty object');
  }
  const normalizedKey: Record<string, 1 | -1> = {};
  for (const [field, dir] of Object.entries(key as Doc)) {
    if (typeof dir !== 'number' || dir === 0 || Number.isNaN(dir)) {
      throw cannotCreateIndex(`Index type or direction not supported by this server: ${field}: ${String(dir)}`);
    }
    if (field === '' || field.startsWith('$')) throw cannotCreateIndex(`Bad index key field: '${field}'`);
    normalizedKey[field] = dir < 0 ? -1 : 1;
  }
  const name = spec.name === undefined ? defaultIndexName(key as Doc) : spec.name;
  if (typeof name !== 'string' || name === '') throw badValue('index name must be a non-empty string');
  const out: IndexSpec = { key: normalizedKey, name };
  if (spec.unique === true) out.unique = true;
  if (spec.sparse === true) out.sparse = true;
  if (spec.partialFilterExpression !== undefined) {
    const pfe = spec.partialFilterExpression;
    if (pfe === null || typeof pfe !== 'object' || Array.isArray(pfe)) {
      throw cannotCreateIndex('partialFilterExpression must be an object');
    }
    if (spec.sparse === true) throw cannotCreateIndex('cannot mix "partialFilterExpression" and "sparse" options');
    out.partialFilterExpression = pfe as Doc;
  }
  if (spec.expireAfterSeconds !== undefined) {
    const ttl = spec.expireAfterSeconds;
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw cannotCreateIndex('TTL index \'expireAfterSeconds\' option must be a non-negative number');
    }
    if (Object.keys(normalizedKey).length !== 1) {
      throw cannotCreateIndex('TTL indexes are single-field indexes, compound indexes do not support TTL');
    }
    if (normalizedKey._id !== undefined) throw cannotCreateIndex('The field \'expireAfterSeconds\' is not valid for an _id index specification');
    out.expireAfterSeconds = ttl;
  }
  if (name === '_id_' && !(Object.keys(normalizedKey).length === 1 && normalizedKey._id === 1)) {
    throw badValue('The index name \'_id_\' is reserved for the _id index');
  }
  return out;
}

function sameKey(a: IndexSpec, b: IndexSpec): boolean {
  const ka = Object.keys(a.key);
  const kb = Object.keys(b.key);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a.key[k] === b.key[k]);
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return Boolean(a.unique) === Boolean(b.unique)
    && Boolean(a.sparse) === Boolean(b.sparse)
    && a.expireAfterSeconds === b.expireAfterSeconds
    && bsonEquals(a.partialFilterExpression ?? null, b.partialFilterExpression ?? null);
}

/**
 * Decides what creating `spec` means next to `existing`: 'exists' (identical, nothing to do),
 * 'create', or throws 85/86 as mongod 7.0 does.
 */
export function resolveIndexConflict(spec: IndexSpec, existing: IndexSpec[]): 'exists' | 'create' {
  for (const other of existing) {
    if (other.name === spec.name) {
      if (!sameKey(other, spec)) {
        throw indexKeySpecsConflict(
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(other)}`,
        );
      }
      if (other.name === '_id_' || sameOptions(other, spec)) return 'exists';
      throw indexKeySpecsConflict(
        `An existing index has the same name as the requested index but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(other)}`,
      );
    }
  }
  for (const other of existing) {
    if (sameKey(other, spec)
      && bsonEquals(other.partialFilterExpression ?? null, spec.partialFilterExpression ?? null)) {
      throw indexOptionsConflict(`Index already exists with a different name: ${other.name}`);
    }
  }
  return 'create';
}
