import { Context, ProcessingMode } from 'mingo';
import { Query } from 'mingo/query';
import * as accumulatorOps from 'mingo/operators/accumulator';
import * as expressionOps from 'mingo/operators/expression';
import * as pipelineOps from 'mingo/operators/pipeline';
import * as projectionOps from 'mingo/operators/projection';
import * as queryOps from 'mingo/operators/query';
import * as windowOps from 'mingo/operators/window';
import type { Options } from 'mingo/types/types';
import { toEngineError } from './engine-errors';
import { compileEqualityFilter } from './filter-fast';
import { valueKey } from './value-key';
import type { Doc } from './types';

/**
 * One shared mingo context with every operator. Building options from a plain
 * object copies the whole operator table (~30 µs per query); mingo reuses a
 * ready options object cheaply, so we obtain one once, through a private query
 * operator that receives it during compilation.
 */
export const MINGO_CONTEXT: Context = Context.init({
  accumulator: accumulatorOps as never,
  expression: expressionOps as never,
  pipeline: pipelineOps as never,
  projection: projectionOps as never,
  query: queryOps as never,
  window: windowOps as never,
});

let captured: Options | undefined;
const captureContext = Context.from(MINGO_CONTEXT).addQueryOps({
  $__engineOptions: (_selector: string, _value: unknown, options: Options) => {
    captured = options;
    return () => true;
  },
} as never);
new Query({ x: { $__engineOptions: 1 } }, {
  context: captureContext,
  idKey: '_id',
  processingMode: ProcessingMode.CLONE_OFF,
  useStrictMode: true,
  scriptEnabled: true,
});
if (!captured) throw new Error('mingo options capture failed');

/** Ready-made mingo options (a ComputeOptions instance): passing it to mingo avoids the context copy. */
export const BASE_OPTIONS: Options = captured;

interface ComputeOptionsLike extends Options {
  update(locals: Record<string, unknown>): ComputeOptionsLike;
}
interface ComputeOptionsClass {
  init(options: Options): ComputeOptionsLike;
}

/** Fresh options with their own locals (condition, update config), sharing the operator table. */
export function optionsWithLocals(locals: Record<string, unknown>): Options {
  const cls = (BASE_OPTIONS as unknown as { constructor: ComputeOptionsClass }).constructor;
  return cls.init(BASE_OPTIONS).update(locals);
}

/** Options for a collation, which cannot reuse the shared object (it is an immutable option). */
function optionsFor(collation: Doc | undefined): Options {
  if (!collation) return BASE_OPTIONS;
  return {
    context: MINGO_CONTEXT,
    idKey: '_id',
    processingMode: ProcessingMode.CLONE_OFF,
    useStrictMode: true,
    scriptEnabled: true,
    failOnError: true,
    collation: collation as unknown as Options['collation'],
  } as Options;
}

export interface CompiledFilter {
  test(doc: Doc): boolean;
}

const MATCH_ALL: CompiledFilter = { test: () => true };
const CACHE_LIMIT = 500;
const cache = new Map<string, CompiledFilter>();

/** A type-exact key (valueKey tags every BSON type, so a Date never collides with its ISO string). */
function cacheKeyOf(filter: Doc): string {
  return valueKey(filter);
}

/**
 * Compiles a filter; mingo errors become EngineError 2. Equality filters on scalars
 * are answered directly (mingo only for documents they cannot decide); others are
 * compiled by mingo and cached.
 */
export function compileFilter(filter: Doc | undefined, collation?: Doc): CompiledFilter {
  if (!filter || Object.keys(filter).length === 0) return MATCH_ALL;
  if (!collation) {
    let mingo: CompiledFilter | undefined;
    const direct = compileEqualityFilter(filter, () => (mingo ??= compileWithMingo(filter, undefined)));
    if (direct) return direct;
  }
  return compileWithMingo(filter, collation);
}

function compileWithMingo(filter: Doc, collation: Doc | undefined): CompiledFilter {
  const key = collation ? undefined : cacheKeyOf(filter);
  if (key !== undefined) {
    const hit = cache.get(key);
    if (hit) return hit;
  }
  let compiled: CompiledFilter;
  try {
    const query = new Query(filter, optionsFor(collation));
    compiled = {
      test: (doc: Doc) => {
        try {
          return query.test(doc);
        } catch (err) {
          throw toEngineError(err);
        }
      },
    };
  } catch (err) {
    throw toEngineError(err);
  }
  if (key !== undefined) {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(key, compiled);
  }
  return compiled;
}
