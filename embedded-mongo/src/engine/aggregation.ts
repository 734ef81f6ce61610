import { Aggregator } from 'mingo/aggregator';
import { ProcessingMode } from 'mingo';
import type { Options } from 'mingo/types/types';
import { isPlainObject } from './bson-order';
import { countMatches, selectHolders, type Selection } from './collection-read';
import type { CollectionStore } from './collection-store';
import { cloneDoc } from './document-clone';
import { badValue, toEngineError } from './engine-errors';
import { MINGO_CONTEXT } from './mingo-context';
import { EngineError, type CollectionResolver, type Doc, type SortSpec } from './types';

/**
 * Aggregation through mingo. Leading `$match`/`$sort`/`$skip`/`$limit` run
 * through the query planner (indexes, BSON sort order), a count pipeline
 * (countDocuments) is answered without materialising documents, and input
 * documents are cloned whenever a stage could write into them (mingo's
 * CLONE_OFF mode mutates inputs, and stored documents must stay immutable).
 */

/** Stages that only read their input documents and build new outputs. */
const READ_ONLY_STAGES = new Set([
  '$match', '$sort', '$limit', '$skip', '$count', '$group', '$sortByCount', '$project',
  '$unwind', '$bucket', '$bucketAuto',
]);

function stageName(stage: Doc): string {
  const keys = Object.keys(stage);
  if (keys.length !== 1) throw badValue('A pipeline stage specification object must contain exactly one field.');
  return keys[0];
}

function isReadOnly(pipeline: Doc[]): boolean {
  return pipeline.every((stage) => {
    const name = stageName(stage);
    if (name === '$facet') {
      const facets = stage.$facet;
      return isPlainObject(facets) && Object.values(facets).every((p) => Array.isArray(p) && isReadOnly(p as Doc[]));
    }
    return READ_ONLY_STAGES.has(name);
  });
}

/** Folds a leading $match [$sort] [$skip] [$limit] into a planner selection. */
function leadingSelection(pipeline: Doc[]): { selection: Selection; rest: Doc[] } {
  const selection: Selection = {};
  let i = 0;
  const next = (name: string): unknown => {
    if (i < pipeline.length && stageName(pipeline[i]) === name) return pipeline[i++][name];
    return undefined;
  };
  const match = next('$match');
  if (match !== undefined) {
    if (!isPlainObject(match)) throw badValue('the match filter must be an expression in an object');
    selection.filter = match;
  }
  const sort = next('$sort');
  if (sort !== undefined) selection.sort = sort as SortSpec;
  const skip = next('$skip');
  if (skip !== undefined) selection.skip = Number(skip);
  const limit = next('$limit');
  if (limit !== undefined) {
    if (Number(limit) <= 0) throw badValue('the limit must be positive');
    selection.limit = Number(limit);
  }
  return { selection, rest: pipeline.slice(i) };
}

/** `[{$group: {_id: <constant>, n: {$sum: 1}}}]`, which is how countDocuments ends. */
function countGroup(rest: Doc[]): { id: unknown; field: string } | undefined {
  if (rest.length !== 1 || stageName(rest[0]) !== '$group') return undefined;
  const group = rest[0].$group;
  if (!isPlainObject(group)) return undefined;
  const keys = Object.keys(group);
  if (keys.length !== 2 || keys[0] !== '_id') return undefined;
  const id = group._id;
  if (typeof id === 'string' && id.startsWith('$')) return undefined;
  if (isPlainObject(id) || Array.isArray(id)) return undefined;
  const acc = group[keys[1]];
  if (!isPlainObject(acc) || Object.keys(acc).length !== 1 || acc.$sum !== 1) return undefined;
  return { id, field: keys[1] };
}

export function runAggregate(store: CollectionStore, pipeline: Doc[], resolver: CollectionResolver): Doc[] {
  if (!Array.isArray(pipeline)) throw badValue('\'pipeline\' option must be specified as an array');
  for (const stage of pipeline) {
    if (!isPlainObject(stage)) throw badValue('Each element of the \'pipeline\' array must be an object');
  }
  if (pipeline.length > 0 && stageName(pipeline[0]) === '$changeStream') {
    throw new EngineError(40573, 'Location40573', 'The $changeStream stage is only supported on replica sets');
  }
  for (const stage of pipeline) {
    const name = stageName(stage);
    if (name === '$out' || name === '$merge') {
      throw badValue(`${name} is not supported by the embedded engine`);
    }
  }
  const { selection, rest } = leadingSelection(pipeline);
  const counting = countGroup(rest);
  if (counting && selection.sort === undefined) {
    const n = countMatches(store, selection.filter ?? {}, { skip: selection.skip, limit: selection.limit });
    return n === 0 ? [] : [{ _id: counting.id, [counting.field]: n }];
  }
  const docs = selectHolders(store, selection).map((h) => h.doc);
  if (rest.length === 0) return docs;
  const readOnly = isReadOnly(rest);
  const input = readOnly ? docs : docs.map(cloneDoc);
  const options: Partial<Options> = {
    context: MINGO_CONTEXT,
    idKey: '_id',
    processingMode: ProcessingMode.CLONE_OFF,
    collectionResolver: (name: string) => (readOnly ? resolver(name) : resolver(name).map(cloneDoc)),
  };
  try {
    return new Aggregator(rest, options).run(input) as Doc[];
  } catch (err) {
    throw toEngineError(err);
  }
}
