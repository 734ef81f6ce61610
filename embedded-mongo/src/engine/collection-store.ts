import { duplicateKeyError } from './duplicate-key';
import { ID_INDEX } from './index-catalog';
import type { DocHolder, IndexEntry } from './ordered-index';
import { SecondaryIndex, sameEntries } from './secondary-index';
import type { Doc, IndexSpec } from './types';
import { valueKey } from './value-key';

export type StoreChange = { op: 'put'; doc: Doc } | { op: 'delete'; id: unknown };

/**
 * The documents of one collection in natural order plus all their indexes.
 * Every write validates first (keys, uniqueness) and only then mutates, so a
 * failed write leaves the collection exactly as it was.
 */
export class CollectionStore {
  /** Keyed by the canonical `_id` key; Map order is insertion order, and `set` on a key keeps its place. */
  readonly docs = new Map<string, DocHolder>();
  readonly indexes: SecondaryIndex[] = [new SecondaryIndex(ID_INDEX)];
  private nextSeq = 1;
  /** Called after each committed document change. */
  onCommit: ((change: StoreChange) => void) | undefined;

  constructor(readonly ns: string) {}

  get size(): number {
    return this.docs.size;
  }

  index(name: string): SecondaryIndex | undefined {
    return this.indexes.find((i) => i.name === name);
  }

  getById(id: unknown): DocHolder | undefined {
    return this.docs.get(valueKey(id));
  }

  /** Inserts a prepared document (`_id` present and first). Throws 11000 without side effects. */
  insert(doc: Doc, emit = true): DocHolder {
    const key = valueKey(doc._id);
    if (this.docs.has(key)) {
      throw duplicateKeyError(this.ns, '_id_', { _id: 1 }, { _id: doc._id });
    }
    const holder: DocHolder = { doc, seq: this.nextSeq };
    const perIndex = this.indexes.map((ix) => ix.keysFor(doc, holder));
    this.indexes.forEach((ix, i) => ix.assertUnique(perIndex[i], holder.seq, this.ns));
    this.nextSeq++;
    this.docs.set(key, holder);
    this.indexes.forEach((ix, i) => ix.add(perIndex[i]));
    if (emit) this.onCommit?.({ op: 'put', doc });
    return holder;
  }

  /**
   * Swaps in a new version of a stored document (same `_id`), maintaining indexes.
   * `affected`, when given, holds the only indexes whose entries the change can alter
   * (see SecondaryIndex.touchedBy); the others are not even recomputed.
   */
  replace(holder: DocHolder, next: Doc, emit = true, affected?: ReadonlySet<SecondaryIndex>): void {
    const old = holder.doc;
    const indexes = affected ? this.indexes.filter((ix) => affected.has(ix)) : this.indexes;
    const nextEntries = indexes.map((ix) => ix.keysFor(next, holder));
    const oldEntries = indexes.map((ix) => ix.keysFor(old, holder));
    const changed = indexes.map((_ix, i) => !sameEntries(oldEntries[i], nextEntries[i]));
    indexes.forEach((ix, i) => {
      if (changed[i]) ix.assertUnique(nextEntries[i], holder.seq, this.ns);
    });
    indexes.forEach((ix, i) => {
      if (!changed[i]) return;
      ix.remove(oldEntries[i]);
      ix.add(nextEntries[i]);
    });
    holder.doc = next;
    if (emit) this.onCommit?.({ op: 'put', doc: next });
  }

  remove(holder: DocHolder, emit = true): void {
    const key = valueKey(holder.doc._id);
    if (this.docs.get(key) !== holder) return;
    for (const ix of this.indexes) ix.remove(ix.keysFor(holder.doc, holder));
    this.docs.delete(key);
    if (emit) this.onCommit?.({ op: 'delete', id: holder.doc._id });
  }

  /** Puts a document by `_id` (insert or replace) without emitting: used when replaying events. */
  restore(doc: Doc): void {
    const holder = this.getById(doc._id);
    if (holder) this.replace(holder, doc, false);
    else this.insert(doc, false);
  }

  /** Builds an index over the existing documents; throws 11000 (or 171) before registering it. */
  addIndex(spec: IndexSpec): SecondaryIndex {
    const ix = new SecondaryIndex(spec);
    const all: IndexEntry[][] = [];
    const pending = new Set<string>();
    for (const holder of this.docs.values()) {
      const entries = ix.keysFor(holder.doc, holder);
      ix.assertUnique(entries, holder.seq, this.ns, pending);
      all.push(entries);
    }
    for (const entries of all) ix.add(entries);
    this.indexes.push(ix);
    return ix;
  }

  dropIndex(name: string): void {
    const i = this.indexes.findIndex((ix) => ix.name === name);
    if (i > 0) this.indexes.splice(i, 1);
  }

  clear(): void {
    this.docs.clear();
    for (const ix of this.indexes) ix.clear();
  }
}
