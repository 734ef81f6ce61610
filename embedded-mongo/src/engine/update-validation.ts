import { bsonEquals, isPlainObject, tagOf } from './bson-order';
import { badValue, immutableField, pathNotViable, typeMismatch } from './engine-errors';
import type { Doc } from './types';

/**
 * The checks mongod makes while applying operators and mingo silently skips:
 * arithmetic on non-numbers (14), array operators on non-arrays (2/14),
 * creating a field inside a scalar (28) and touching `_id` (66).
 */

const CREATES_PATH = new Set(['$set', '$setOnInsert', '$inc', '$mul', '$min', '$max', '$push', '$addToSet', '$currentDate', '$bit']);
const NUMERIC_ARG = new Map([['$inc', 'increment'], ['$mul', 'multiply']]);

function describe(doc: Doc): string {
  return `{_id: ${String(doc._id)}}`;
}

/** Walks to the leaf of `path`; undefined when positional segments make static checks impossible. */
function leafOf(doc: Doc, path: string, mustBeViable: boolean): { value: unknown } | undefined {
  const parts = path.split('.');
  let cur: unknown = doc;
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i];
    if (seg.startsWith('$')) return undefined;
    if (cur === undefined) return { value: undefined };
    if (isPlainObject(cur)) {
      cur = cur[seg];
      continue;
    }
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      cur = cur[Number(seg)];
      continue;
    }
    if (!mustBeViable) return { value: undefined };
    const parentPath = parts.slice(0, i).join('.');
    throw pathNotViable(`Cannot create field '${seg}' in element {${parentPath}: ${tagOf(cur) === 'array' ? '[...]' : JSON.stringify(cur) ?? String(cur)}}`);
  }
  return { value: cur };
}

function isNumeric(value: unknown): boolean {
  return tagOf(value) === 'number';
}

/**
 * Validates operators against `doc` and returns them ready for mingo. An `_id`
 * set to its current value is dropped (mingo refuses any `_id` path); on an
 * insert without `_id` a `$set`/`$setOnInsert` of `_id` is returned as `assignId`.
 */
export function checkOperators(
  doc: Doc,
  ops: Record<string, Doc>,
  isInsert: boolean,
): { ops: Record<string, Doc>; assignId?: { value: unknown } } {
  const out: Record<string, Doc> = {};
  let assignId: { value: unknown } | undefined;
  for (const [op, arg] of Object.entries(ops)) {
    const kept: Doc = {};
    for (const [path, value] of Object.entries(arg)) {
      if (path === '_id' || path.startsWith('_id.') || (op === '$rename' && (value === '_id' || String(value).startsWith('_id.')))) {
        if ((op === '$set' || op === '$setOnInsert') && path === '_id') {
          if (doc._id === undefined && isInsert) { assignId = { value }; continue; }
          if (bsonEquals(doc._id, value)) continue;
        }
        throw immutableField(`Performing an update on the path '${path}' would modify the immutable field '_id'`);
      }
      const numericVerb = NUMERIC_ARG.get(op);
      if (numericVerb && !isNumeric(value)) {
        throw typeMismatch(`Cannot ${numericVerb} with non-numeric argument: {${path}: ${JSON.stringify(value)}}`);
      }
      const leaf = leafOf(doc, path, CREATES_PATH.has(op));
      if (leaf && leaf.value !== undefined) {
        const v = leaf.value;
        if (numericVerb && !isNumeric(v)) {
          throw typeMismatch(`Cannot apply ${op} to a value of non-numeric type. ${describe(doc)} has the field '${path}' of non-numeric type ${tagOf(v)}`);
        }
        if ((op === '$push' || op === '$addToSet') && !Array.isArray(v)) {
          throw badValue(`The field '${path}' must be an array but is of type ${tagOf(v)} in document ${describe(doc)}`);
        }
        if ((op === '$pull' || op === '$pullAll') && !Array.isArray(v)) {
          throw badValue(`Cannot apply ${op} to a non-array value`);
        }
        if (op === '$pop' && !Array.isArray(v)) {
          throw typeMismatch(`Path '${path}' contains an element of non-array type '${tagOf(v)}'`);
        }
        if (op === '$bit' && !isNumeric(v)) {
          throw typeMismatch(`Cannot apply $bit to a value of non-integral type. ${describe(doc)} has the field ${path} of non-integer type ${tagOf(v)}`);
        }
      }
      if (op === '$rename') leafOf(doc, String(value), true);
      kept[path] = value;
    }
    if (Object.keys(kept).length > 0) out[op] = kept;
  }
  return { ops: out, assignId };
}
