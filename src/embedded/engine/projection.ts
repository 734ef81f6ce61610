import { Query } from 'mingo/query';
import { withIdFirst } from './document-paths';
import { toEngineError } from './engine-errors';
import { BASE_OPTIONS } from './mingo-context';
import type { Doc } from './types';

/**
 * Applies a find projection with mingo (which knows $slice, $elemMatch and the
 * positional `.$`, the latter needing the query), then restores `_id` first.
 */
export function project(docs: Doc[], projection: Doc | undefined, filter: Doc | undefined): Doc[] {
  if (!projection || Object.keys(projection).length === 0 || docs.length === 0) return docs;
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  try {
    const query = new Query(positional && filter ? filter : {}, BASE_OPTIONS);
    return query.find(docs, projection).all().map((d: unknown) => withIdFirst(d as Doc));
  } catch (err) {
    throw toEngineError(err);
  }
}
