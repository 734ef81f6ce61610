import { isPlainObject, tagOf } from './bson-order';
import type { Doc } from './types';

/**
 * What an index can use from a filter: per top-level field path, the values it
 * must equal (one, or several for `$in`) and range bounds. Anything else stays
 * in the residual filter, which is always re-applied to every candidate, so the
 * analysis only has to describe a superset of the matches.
 */
export interface FieldConstraint {
  /** Allowed values (equality or `$in`); undefined when unconstrained. */
  values?: unknown[];
  lower?: { value: unknown; inclusive: boolean };
  upper?: { value: unknown; inclusive: boolean };
}

/** Values an index can compare: scalars whose equality is plain BSON equality. */
function indexable(value: unknown): boolean {
  switch (tagOf(value)) {
    case 'null': case 'number': case 'string': case 'bool': case 'date': case 'objectId': return true;
    default: return false;
  }
}

function rangeable(value: unknown): boolean {
  return indexable(value) && value !== null && value !== undefined;
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys[0].startsWith('$');
}

function addField(out: Map<string, FieldConstraint>, field: string, cond: unknown): void {
  const c = out.get(field) ?? {};
  if (!isOperatorObject(cond)) {
    if (indexable(cond)) c.values = narrow(c.values, [cond]);
    out.set(field, c);
    return;
  }
  for (const [op, arg] of Object.entries(cond)) {
    switch (op) {
      case '$eq':
        if (indexable(arg)) c.values = narrow(c.values, [arg]);
        break;
      case '$in':
        if (Array.isArray(arg) && arg.every(indexable)) c.values = narrow(c.values, arg);
        break;
      case '$gt': case '$gte':
        if (rangeable(arg) && !c.lower) c.lower = { value: arg, inclusive: op === '$gte' };
        break;
      case '$lt': case '$lte':
        if (rangeable(arg) && !c.upper) c.upper = { value: arg, inclusive: op === '$lte' };
        break;
      default:
        break;
    }
  }
  out.set(field, c);
}

/** Two equality sources on one field: keep the first (still a superset). */
function narrow(existing: unknown[] | undefined, next: unknown[]): unknown[] {
  return existing ?? next;
}

export function analyzeFilter(filter: Doc | undefined): Map<string, FieldConstraint> {
  const out = new Map<string, FieldConstraint>();
  if (!filter) return out;
  const visit = (f: Doc): void => {
    for (const [key, cond] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(cond)) {
        for (const part of cond) if (isPlainObject(part)) visit(part);
      } else if (!key.startsWith('$')) {
        addField(out, key, cond);
      }
    }
  };
  visit(filter);
  return out;
}
