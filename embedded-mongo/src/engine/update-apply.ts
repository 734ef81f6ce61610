import { updateOne } from 'mingo/updater';
import * as updateOperators from 'mingo/operators/update';
import type { Options } from 'mingo/types/types';
import { bsonEquals, isPlainObject } from './bson-order';
import { cloneDoc } from './document-clone';
import { withIdFirst } from './document-paths';
import { immutableField, toEngineError, conflictingUpdate } from './engine-errors';
import { MINGO_CONTEXT, optionsWithLocals } from './mingo-context';
import type { ParsedUpdate } from './update-parse';
import { applyFastUpdate, compileFastUpdate, FALLBACK, type FastUpdate } from './update-fast';
import { orderCreatedFields, pathInfo, writtenPaths } from './update-paths';
import { checkOperators } from './update-validation';
import type { Doc } from './types';

type OperatorUpdate = Extract<ParsedUpdate, { kind: 'operators' }>;
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

/**
 * mingo leaves `$slice`/`$sort` unapplied when `$push` creates the array; mongod
 * creates an empty array and pushes into it. Doing that first makes mingo agree.
 * Returns true when it created something.
 */
function createPushTargets(next: Doc, push: Doc | undefined): boolean {
  let created = false;
  for (const path of Object.keys(push ?? {})) {
    const { segments: segs, written } = pathInfo(path);
    if (written.length < segs.length) continue; // positional or array index: mingo's own business
    let node: unknown = next;
    for (let i = 0; i < segs.length - 1 && isPlainObject(node); i++) {
      if (node[segs[i]] === undefined) node[segs[i]] = {};
      node = node[segs[i]];
    }
    // Anything but embedded documents on the way is mingo's (checkOperators refused what mongod refuses).
    const key = segs[segs.length - 1];
    if (isPlainObject(node) && node[key] === undefined) {
      node[key] = [];
      created = true;
    }
  }
  return created;
}

function applyWithMingo(doc: Doc, all: Record<string, Doc>, ctx: ApplyContext): Doc | undefined {
  const { ops, assignId } = checkOperators(doc, all, Boolean(ctx.isInsert));
  const next = cloneDoc(doc);
  let changed = false;
  if (assignId) {
    next._id = assignId.value;
    changed = true;
  }
  if (createPushTargets(next, ops.$push)) changed = true;
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
  orderCreatedFields(doc, next, writtenPaths(ops));
  return withIdFirst(next);
}

/** Fast-path plans per parsed update: an updateMany compiles once for all its documents. */
const plans = new WeakMap<ParsedUpdate, FastUpdate | null>();

function fastPlan(parsed: OperatorUpdate, all: Record<string, Doc>, merged: boolean): FastUpdate | undefined {
  if (merged) return compileFastUpdate(all);
  let plan = plans.get(parsed);
  if (plan === undefined) {
    plan = compileFastUpdate(all) ?? null;
    plans.set(parsed, plan);
  }
  return plan ?? undefined;
}

function applyOperators(doc: Doc, parsed: OperatorUpdate, ctx: ApplyContext, allowFast: boolean): Doc | undefined {
  const merged = Boolean(ctx.isInsert && parsed.setOnInsert && Object.keys(parsed.setOnInsert).length > 0);
  const all = merged ? { ...parsed.ops, $set: { ...(parsed.ops.$set ?? {}), ...parsed.setOnInsert } } : parsed.ops;
  const plan = allowFast ? fastPlan(parsed, all, merged) : undefined;
  if (plan) {
    const out = applyFastUpdate(doc, plan);
    if (out !== FALLBACK) return out && withIdFirst(out);
  }
  return applyWithMingo(doc, all, ctx);
}

function applyReplacement(doc: Doc, replacement: Doc): Doc | undefined {
  if (replacement._id !== undefined && doc._id !== undefined && !bsonEquals(replacement._id, doc._id)) {
    throw immutableField(`After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(replacement._id)}`);
  }
  const next: Doc = {};
  if (doc._id !== undefined) next._id = doc._id;
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

function apply(doc: Doc, parsed: ParsedUpdate, ctx: ApplyContext, allowFast: boolean): Doc | undefined {
  switch (parsed.kind) {
    case 'operators': return applyOperators(doc, parsed, ctx, allowFast);
    case 'replacement': return applyReplacement(doc, parsed.doc);
    case 'pipeline': return applyPipeline(doc, parsed.stages, ctx);
  }
}

/** The new version of `doc`, or undefined when the update changes nothing. Never mutates `doc`. */
export function applyUpdate(doc: Doc, parsed: ParsedUpdate, ctx: ApplyContext = {}): Doc | undefined {
  return apply(doc, parsed, ctx, true);
}

/** applyUpdate without the fast path: the reference the fast path is tested against. */
export function applyUpdateWithMingo(doc: Doc, parsed: ParsedUpdate, ctx: ApplyContext = {}): Doc | undefined {
  return apply(doc, parsed, ctx, false);
}
