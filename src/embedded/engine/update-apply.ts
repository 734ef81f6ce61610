import { updateOne } from 'mingo/updater';
import * as updateOperators from 'mingo/operators/update';
import type { Options } from 'mingo/types/types';
import { bsonEquals } from './bson-order';
import { cloneDoc } from './document-clone';
import { withIdFirst } from './document-paths';
import { immutableField, toEngineError, conflictingUpdate } from './engine-errors';
import { MINGO_CONTEXT, optionsWithLocals } from './mingo-context';
import type { ParsedUpdate } from './update-parse';
import { checkOperators } from './update-validation';
import type { Doc } from './types';

type OperatorFn = (expr: Doc, arrayFilters: Doc[], options: Options) => (obj: Doc) => string[];
const OPERATORS = updateOperators as unknown as Record<string, OperatorFn>;

export interface ApplyContext {
  arrayFilters?: Doc[];
  /** The statement's query: mingo needs it for the positional `$`. */
  condition?: Doc;
  /** The update creates a document (upsert): `$setOnInsert` applies. */
  isInsert?: boolean;
}

function assertSameId(before: Doc, after: Doc): void {
  if (before._id !== undefined && !bsonEquals(before._id, after._id)) {
    throw immutableField(`After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(after._id)}`);
  }
}

function mapMingoError(err: unknown): Error {
  const e = toEngineError(err);
  if (e.code === 2 && /would create a conflict/.test(e.message)) return conflictingUpdate(e.message);
  if (e.code === 2 && /immutable field/.test(e.message)) return immutableField(e.message);
  return e;
}

function applyOperators(doc: Doc, parsed: Extract<ParsedUpdate, { kind: 'operators' }>, ctx: ApplyContext): Doc | undefined {
  const all: Record<string, Doc> = { ...parsed.ops };
  if (ctx.isInsert && parsed.setOnInsert && Object.keys(parsed.setOnInsert).length > 0) {
    all.$set = { ...(all.$set ?? {}), ...parsed.setOnInsert };
  }
  const { ops, assignId } = checkOperators(doc, all, Boolean(ctx.isInsert));
  const next = cloneDoc(doc);
  let changed = false;
  if (assignId) {
    next._id = assignId.value;
    changed = true;
  }
  if (Object.keys(ops).length > 0) {
    const options = optionsWithLocals({ condition: ctx.condition ?? {}, updateConfig: { cloneMode: 'copy' } });
    try {
      for (const [op, expr] of Object.entries(ops)) {
        const modified = OPERATORS[op](expr, ctx.arrayFilters ?? [], options)(next);
        if (modified.length > 0) changed = true;
      }
    } catch (err) {
      throw mapMingoError(err);
    }
  }
  if (!changed) return undefined;
  assertSameId(doc, next);
  return withIdFirst(next);
}

function applyReplacement(doc: Doc, replacement: Doc): Doc | undefined {
  if (replacement._id !== undefined && doc._id !== undefined && !bsonEquals(replacement._id, doc._id)) {
    throw immutableField(`After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(replacement._id)}`);
  }
  const next: Doc = doc._id !== undefined ? { _id: doc._id } : {};
  for (const [k, v] of Object.entries(replacement)) if (k !== '_id') next[k] = cloneDoc({ v }).v;
  if (doc._id === undefined && replacement._id !== undefined) next._id = replacement._id;
  const out = withIdFirst(next);
  return bsonEquals(out, doc) ? undefined : out;
}

function applyPipeline(doc: Doc, stages: Doc[], ctx: ApplyContext): Doc | undefined {
  const holder = [cloneDoc(doc)];
  try {
    updateOne(holder, {}, stages as never, {}, { context: MINGO_CONTEXT, idKey: '_id' } as Partial<Options>);
  } catch (err) {
    throw mapMingoError(err);
  }
  void ctx;
  const next = holder[0];
  assertSameId(doc, next);
  const out = withIdFirst(next);
  return bsonEquals(out, doc) ? undefined : out;
}

/** The new version of `doc`, or undefined when the update changes nothing. Never mutates `doc`. */
export function applyUpdate(doc: Doc, parsed: ParsedUpdate, ctx: ApplyContext = {}): Doc | undefined {
  switch (parsed.kind) {
    case 'operators': return applyOperators(doc, parsed, ctx);
    case 'replacement': return applyReplacement(doc, parsed.doc);
    case 'pipeline': return applyPipeline(doc, parsed.stages, ctx);
  }
}
