import { ObjectId } from 'bson';
import { compareBson, isPlainObject, tagOf } from './bson-order';
import { runAggregate } from './aggregation';
import { countMatches, selectHolders } from './collection-read';
import { CollectionStore } from './collection-store';
import { cloneDoc } from './document-clone';
import { pathValues, withIdFirst } from './document-paths';
import { badValue, failedToParse, indexNotFound, invalidOptions, toEngineError } from './engine-errors';
import { normalizeIndexSpec, resolveIndexConflict } from './index-catalog';
import { project } from './projection';
import { buildUpsertDocument } from './upsert-seed';
import { applyUpdate } from './update-apply';
import { parseUpdate, type ParsedUpdate } from './update-parse';
import { writtenPaths } from './update-paths';
import type { SecondaryIndex } from './secondary-index';
import {
  EngineError,
  type ChangeEvent, type CollectionInfo, type CollectionResolver, type CreateIndexesOutcome, type Doc,
  type EngineCollection, type FindAndModifyOutcome, type FindAndModifyQuery, type FindQuery,
  type IndexSpec, type InsertOutcome, type UpdateOutcome, type UpdateStatement,
} from './types';
import { valueKey } from './value-key';

/** One collection: the EngineCollection contract on top of a CollectionStore. Every method is synchronous. */
export class Collection implements EngineCollection {
  readonly store: CollectionStore;
  /** Created implicitly and not yet written to: createIndexes reports createdCollectionAutomatically. */
  autoCreated = false;

  constructor(
    readonly dbName: string,
    readonly info: CollectionInfo,
    private readonly emit: (event: ChangeEvent) => void,
    private readonly resolver: CollectionResolver,
  ) {
    this.store = new CollectionStore(`${dbName}.${info.name}`);
    this.store.onCommit = (change) => {
      if (change.op === 'put') this.emit({ op: 'put', db: dbName, coll: info.name, doc: change.doc });
      else this.emit({ op: 'delete', db: dbName, coll: info.name, id: change.id });
    };
  }

  get name(): string {
    return this.info.name;
  }

  insertMany(docs: Doc[], ordered: boolean): InsertOutcome {
    this.autoCreated = false;
    const outcome: InsertOutcome = { inserted: 0, writeErrors: [] };
    for (let index = 0; index < docs.length; index++) {
      try {
        this.store.insert(prepareForInsert(docs[index]));
        outcome.inserted++;
      } catch (err) {
        outcome.writeErrors.push({ index, error: toEngineError(err) });
        if (ordered) break;
      }
    }
    return outcome;
  }

  find(query: FindQuery): Doc[] {
    const holders = selectHolders(this.store, query);
    return project(holders.map((h) => h.doc), query.projection, query.filter);
  }

  count(filter: Doc, options?: { skip?: number; limit?: number; hint?: string | Doc }): number {
    return countMatches(this.store, filter ?? {}, options);
  }

  estimatedCount(): number {
    return this.store.size;
  }

  distinct(key: string, filter: Doc): unknown[] {
    if (typeof key !== 'string' || key === '') throw badValue('distinct key must be a non-empty string');
    const seen = new Map<string, unknown>();
    for (const holder of selectHolders(this.store, { filter })) {
      for (const value of pathValues(holder.doc, key).values) {
        if (value === undefined) continue;
        const k = valueKey(value);
        if (!seen.has(k)) seen.set(k, value);
      }
    }
    return Array.from(seen.values()).sort(compareBson);
  }

  aggregate(pipeline: Doc[]): Doc[] {
    return runAggregate(this.store, pipeline, this.resolver);
  }

  update(statement: UpdateStatement): UpdateOutcome {
    this.autoCreated = false;
    const parsed = parseUpdate(statement.u);
    if (statement.multi && parsed.kind === 'replacement') {
      throw failedToParse('multi update is not supported for replacement-style update');
    }
    const holders = selectHolders(this.store, {
      filter: statement.q, limit: statement.multi ? 0 : 1, hint: statement.hint, collation: statement.collation,
    });
    if (holders.length === 0) {
      if (!statement.upsert) return { matched: 0, modified: 0 };
      const doc = buildUpsertDocument(statement.q, parsed, statement.arrayFilters);
      this.store.insert(doc);
      return { matched: 0, modified: 0, upsertedId: doc._id };
    }
    let modified = 0;
    const affected = this.indexesAffectedBy(parsed);
    for (const holder of holders) {
      const next = applyUpdate(holder.doc, parsed, { arrayFilters: statement.arrayFilters, condition: statement.q });
      if (!next) continue;
      this.store.replace(holder, next, true, affected);
      modified++;
    }
    return { matched: holders.length, modified };
  }

  findAndModify(query: FindAndModifyQuery): FindAndModifyOutcome {
    this.autoCreated = false;
    const filter = query.query ?? {};
    if (query.remove) {
      if (query.update !== undefined) throw failedToParse('Cannot specify both an update and remove=true');
      if (query.upsert) throw failedToParse('Cannot specify both upsert=true and remove=true ');
      if (query.new) throw failedToParse('Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');
    } else if (query.update === undefined) {
      throw failedToParse('Either an update or remove=true must be specified');
    }
    const parsed = query.update !== undefined ? parseUpdate(query.update) : undefined;
    const [holder] = selectHolders(this.store, {
      filter, sort: query.sort, limit: 1, hint: query.hint, collation: query.collation,
    });
    const shape = (doc: Doc | null): Doc | null => (doc ? project([doc], query.fields, filter)[0] ?? null : null);
    if (!parsed) {
      if (!holder) return { value: null, lastErrorObject: { n: 0 } };
      const pre = holder.doc;
      this.store.remove(holder);
      return { value: shape(pre), lastErrorObject: { n: 1 } };
    }
    if (!holder) {
      if (!query.upsert) return { value: null, lastErrorObject: { n: 0, updatedExisting: false } };
      const doc = buildUpsertDocument(filter, parsed, query.arrayFilters);
      this.store.insert(doc);
      return {
        value: query.new ? shape(doc) : null,
        lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      };
    }
    const pre = holder.doc;
    const next = applyUpdate(pre, parsed, { arrayFilters: query.arrayFilters, condition: filter });
    if (next) this.store.replace(holder, next, true, this.indexesAffectedBy(parsed));
    return {
      value: shape(query.new ? next ?? pre : pre),
      lastErrorObject: { n: 1, updatedExisting: true },
    };
  }

  /** The indexes an operator update may change the entries of; undefined (all) for replacements and pipelines. */
  private indexesAffectedBy(parsed: ParsedUpdate): Set<SecondaryIndex> | undefined {
    if (parsed.kind !== 'operators') return undefined;
    const written = writtenPaths(parsed.ops);
    return new Set(this.store.indexes.filter((ix) => ix.touchedBy(written)));
  }

  delete(filter: Doc, limit: 0 | 1, collation?: Doc): number {
    this.autoCreated = false;
    const holders = selectHolders(this.store, { filter, limit, collation });
    for (const holder of holders) this.store.remove(holder);
    return holders.length;
  }

  createIndexes(specs: IndexSpec[]): CreateIndexesOutcome {
    const createdCollectionAutomatically = this.autoCreated;
    this.autoCreated = false;
    const before = this.store.indexes.length;
    if (!Array.isArray(specs) || specs.length === 0) throw badValue('Must specify at least one index to create');
    const normalized = specs.map((s) => normalizeIndexSpec(s));
    const toCreate: IndexSpec[] = [];
    for (const spec of normalized) {
      const existing = [...this.store.indexes.map((ix) => ix.spec), ...toCreate];
      if (resolveIndexConflict(spec, existing) === 'create') toCreate.push(spec);
    }
    const built: string[] = [];
    try {
      for (const spec of toCreate) {
        this.store.addIndex(spec);
        built.push(spec.name);
      }
    } catch (err) {
      for (const name of built) this.store.dropIndex(name);
      throw toEngineError(err);
    }
    for (const spec of toCreate) this.emit({ op: 'createIndex', db: this.dbName, coll: this.name, spec });
    const outcome: CreateIndexesOutcome = {
      numIndexesBefore: before,
      numIndexesAfter: this.store.indexes.length,
      createdCollectionAutomatically,
    };
    if (toCreate.length === 0) outcome.note = 'all indexes already exist';
    return outcome;
  }

  listIndexes(): IndexSpec[] {
    return this.store.indexes.map((ix) => ({ ...ix.spec, key: { ...ix.spec.key } }));
  }

  dropIndexes(target: string | string[] | Doc): number {
    const before = this.store.indexes.length;
    let names: string[];
    if (target === '*') {
      names = this.store.indexes.slice(1).map((ix) => ix.name);
    } else if (typeof target === 'string' || Array.isArray(target)) {
      names = typeof target === 'string' ? [target] : target;
      for (const name of names) {
        if (name === '_id_') throw invalidOptions('cannot drop _id index');
        if (!this.store.index(name)) throw indexNotFound(`index not found with name [${name}]`);
      }
    } else if (isPlainObject(target)) {
      const wanted = JSON.stringify(target);
      const found = this.store.indexes.filter((ix) => JSON.stringify(ix.spec.key) === wanted);
      if (found.length === 0) throw indexNotFound(`can't find index with key: ${wanted}`);
      if (found.length > 1) throw new EngineError(2, 'AmbiguousIndexKeyPattern', `${found.length} indexes found for key: ${wanted}, identify by name instead.`);
      if (found[0].name === '_id_') throw invalidOptions('cannot drop _id index');
      names = [found[0].name];
    } else {
      throw badValue(`invalid index specification: ${tagOf(target)}`);
    }
    for (const name of names) {
      this.store.dropIndex(name);
      this.emit({ op: 'dropIndex', db: this.dbName, coll: this.name, name });
    }
    return before;
  }

  /** Replays a recorded index creation (no conflict checks, no event). */
  restoreIndex(spec: IndexSpec): void {
    if (!this.store.index(spec.name)) this.store.addIndex(normalizeIndexSpec(spec));
  }
}

/** Validates and shapes a document for storage: an own copy, `_id` generated if missing and placed first. */
function prepareForInsert(raw: Doc): Doc {
  if (!isPlainObject(raw)) throw badValue('document to insert must be an object');
  const doc = cloneDoc(raw);
  if (doc._id === undefined) {
    delete doc._id;
    return { _id: new ObjectId(), ...doc };
  }
  const t = tagOf(doc._id);
  if (t === 'array') throw badValue('The \'_id\' value cannot be of type array');
  if (t === 'regex') throw badValue('can\'t use a regex for _id');
  return withIdFirst(doc);
}
