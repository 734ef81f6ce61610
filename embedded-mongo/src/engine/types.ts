/**
 * The contract between the embedded server's storage engine (src/embedded/engine)
 * and its wire/command layer (src/embedded/wire, src/embedded/commands).
 *
 * The engine is synchronous and single-threaded on purpose: every operation runs
 * to completion without an `await`, which is what makes findAndModify, `$inc` and
 * unique-index checks atomic under many concurrent clients.
 *
 * Stored documents are immutable: an update builds a new document object and
 * swaps it in (copy on write). Documents handed out by `find`/`aggregate` may
 * therefore be held by a cursor and serialized later without cloning. A new
 * version shares the embedded documents and arrays the update did not write with
 * the previous one, so nothing may ever write into any part of a stored document.
 */

/** A BSON document as JS values (bson's default promotion: Int32/Double/safe Long → number). */
export type Doc = Record<string, unknown>;

export type SortSpec = Record<string, 1 | -1>;

export interface IndexSpec {
  key: Record<string, 1 | -1>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
}

/** A failure with MongoDB's numeric code; `extra` is merged into the error reply (keyPattern, keyValue, ...). */
export class EngineError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Doc = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface FindQuery {
  filter?: Doc;
  sort?: SortSpec;
  skip?: number;
  /** 0 or undefined: no limit. */
  limit?: number;
  projection?: Doc;
  /** Index name or key pattern; an unknown index is EngineError code 2. */
  hint?: string | Doc;
  collation?: Doc;
}

export interface UpdateStatement {
  q: Doc;
  /** Operator document, replacement document, or aggregation pipeline. */
  u: Doc | Doc[];
  upsert?: boolean;
  multi?: boolean;
  arrayFilters?: Doc[];
  collation?: Doc;
  hint?: string | Doc;
}

export interface UpdateOutcome {
  matched: number;
  modified: number;
  /** Set when the statement inserted a document. */
  upsertedId?: unknown;
}

export interface FindAndModifyQuery {
  query?: Doc;
  sort?: SortSpec;
  remove?: boolean;
  update?: Doc | Doc[];
  /** Return the post-image (true) or the pre-image (false, default). */
  new?: boolean;
  upsert?: boolean;
  fields?: Doc;
  arrayFilters?: Doc[];
  collation?: Doc;
  hint?: string | Doc;
}

export interface FindAndModifyOutcome {
  value: Doc | null;
  lastErrorObject: { n: number; updatedExisting?: boolean; upserted?: unknown };
}

export interface InsertOutcome {
  inserted: number;
  /** One per rejected document; an ordered insert stops at the first. */
  writeErrors: Array<{ index: number; error: EngineError }>;
}

export interface CreateIndexesOutcome {
  numIndexesBefore: number;
  numIndexesAfter: number;
  createdCollectionAutomatically: boolean;
  /** "all indexes already exist" when nothing changed. */
  note?: string;
}

export interface CollectionInfo {
  name: string;
  options: Doc;
  /** 16-byte UUID, stable for the collection's lifetime. */
  uuid: Uint8Array;
}

/** Resolves another collection of the same database, for $lookup / $unionWith / $out / $merge. */
export type CollectionResolver = (name: string) => Doc[];

export interface EngineCollection {
  readonly name: string;
  readonly info: CollectionInfo;
  insertMany(docs: Doc[], ordered: boolean): InsertOutcome;
  /** Sorted (BSON order, ties by insertion order), skipped, limited and projected. Uses an index when one fits. */
  find(query: FindQuery): Doc[];
  count(filter: Doc, options?: { skip?: number; limit?: number; hint?: string | Doc }): number;
  estimatedCount(): number;
  distinct(key: string, filter: Doc): unknown[];
  aggregate(pipeline: Doc[]): Doc[];
  /** Throws EngineError (11000 with keyPattern/keyValue, 14, 2, 28, 40, 66, 9) and leaves every document untouched. */
  update(statement: UpdateStatement): UpdateOutcome;
  findAndModify(query: FindAndModifyQuery): FindAndModifyOutcome;
  /** limit 1: delete the first match in natural order; 0: all matches. Returns the number deleted. */
  delete(filter: Doc, limit: 0 | 1, collation?: Doc): number;
  createIndexes(specs: IndexSpec[]): CreateIndexesOutcome;
  /** `_id_` first. */
  listIndexes(): IndexSpec[];
  /** '*' drops all but `_id_`. Unknown name/key: EngineError 27. Returns the index count before. */
  dropIndexes(target: string | string[] | Doc): number;
}

export interface EngineDatabase {
  readonly name: string;
  listCollections(): CollectionInfo[];
  /** Throws EngineError 48 NamespaceExists if present. */
  createCollection(name: string, options?: Doc): EngineCollection;
  /** Returns undefined when absent and `create` is false; creates it (with `_id_`) otherwise. */
  collection(name: string, create: boolean): EngineCollection | undefined;
  /** Returns the index count it had, or undefined if it did not exist. */
  dropCollection(name: string): number | undefined;
}

/** A durable change, emitted after the in-memory commit; replaying the events in order rebuilds the state. */
export type ChangeEvent =
  | { op: 'put'; db: string; coll: string; doc: Doc }
  | { op: 'delete'; db: string; coll: string; id: unknown }
  | { op: 'createCollection'; db: string; coll: string; options: Doc }
  | { op: 'dropCollection'; db: string; coll: string }
  | { op: 'createIndex'; db: string; coll: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; coll: string; name: string }
  | { op: 'dropDatabase'; db: string };

export interface Engine {
  database(name: string): EngineDatabase;
  listDatabases(): string[];
  dropDatabase(name: string): void;
  /** Deletes documents whose TTL index says they expired by `now`; returns how many. */
  sweepTtl(now?: Date): number;
  /** Drops every database. */
  reset(): void;
  /** One listener; called synchronously after each committed change. */
  onChange(listener: ((event: ChangeEvent) => void) | undefined): void;
  /** Applies a recorded event without emitting it (used to restore from disk). */
  applyChange(event: ChangeEvent): void;
  /** Every current fact as events (for writing a compacted snapshot). */
  snapshot(): ChangeEvent[];
}
