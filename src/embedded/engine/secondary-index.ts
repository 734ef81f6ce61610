import { compareBson } from './bson-order';
import { pathValues } from './document-paths';
import { duplicateKeyError } from './duplicate-key';
import { parallelArrays } from './engine-errors';
import { compileFilter, type CompiledFilter } from './mingo-context';
import { OrderedIndex, type DocHolder, type IndexEntry } from './ordered-index';
import type { Doc, IndexSpec } from './types';
import { valueKey } from './value-key';

/**
 * One index of a collection (including `_id_`): its spec, its ordered entries,
 * and the rules for which documents it holds (sparse, partial) and uniqueness.
 */
export class SecondaryIndex {
  readonly fields: string[];
  readonly directions: number[];
  readonly tree: OrderedIndex;
  /** Set once some document produced several keys; planner then avoids index-provided sort. */
  multikey = false;
  private readonly partial: CompiledFilter | undefined;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.directions = this.fields.map((f) => (spec.key[f] < 0 ? -1 : 1));
    this.tree = new OrderedIndex(this.directions);
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
  }

  get name(): string {
    return this.spec.name;
  }

  /** Usable for arbitrary queries: holds every document. */
  get complete(): boolean {
    return !this.spec.sparse && !this.partial;
  }

  /** The keys a document contributes (none when sparse/partial exclude it). Throws 171 for parallel arrays. */
  keysFor(doc: Doc, holder: DocHolder): IndexEntry[] {
    const seq = holder.seq;
    if (this.partial && !this.partial.test(doc)) return [];
    const perField: unknown[][] = [];
    let expandedFields = 0;
    let anyPresent = false;
    for (const field of this.fields) {
      const { values, expanded } = pathValues(doc, field);
      if (expanded) expandedFields++;
      if (values.some((v) => v !== undefined)) anyPresent = true;
      perField.push(values.length ? values : [undefined]);
    }
    if (this.spec.sparse && !anyPresent) return [];
    if (expandedFields > 1) {
      throw parallelArrays(`cannot index parallel arrays [${this.fields.join('] [')}]`);
    }
    if (expandedFields === 0) return [{ key: perField.map((v) => v[0] ?? null), seq, holder }];
    const out: IndexEntry[] = [];
    const seen = new Set<string>();
    const fanIndex = perField.findIndex((v) => v.length > 1);
    const base = perField.map((v) => v[0] ?? null);
    const fan = fanIndex < 0 ? [base[0]] : perField[fanIndex];
    for (const value of fan) {
      const key = base.slice();
      if (fanIndex >= 0) key[fanIndex] = value ?? null;
      const k = valueKey(key);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ key, seq, holder });
    }
    return out;
  }

  add(entries: IndexEntry[]): void {
    if (entries.length > 1) this.multikey = true;
    for (const e of entries) this.tree.insert(e);
  }

  remove(entries: IndexEntry[]): void {
    for (const e of entries) this.tree.remove(e);
  }

  /** For a unique index: throws 11000 if another document (seq ≠ own) already has one of these keys. */
  assertUnique(entries: IndexEntry[], ownSeq: number, ns: string, pending?: Set<string>): void {
    if (!this.spec.unique) return;
    for (const entry of entries) {
      for (const other of this.tree.forward({ key: entry.key, seq: -Infinity }, { key: entry.key, seq: Infinity })) {
        if (other.seq !== ownSeq) throw this.duplicate(ns, entry.key);
      }
      if (pending) {
        const k = valueKey(entry.key);
        if (pending.has(k)) throw this.duplicate(ns, entry.key);
        pending.add(k);
      }
    }
  }

  duplicate(ns: string, key: unknown[]): Error {
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => { keyValue[f] = key[i]; });
    return duplicateKeyError(ns, this.name, { ...this.spec.key }, keyValue);
  }
}

/** True when two entry lists hold the same keys (so an update need not touch the index). */
export function sameEntries(a: IndexEntry[], b: IndexEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const ka = a[i].key;
    const kb = b[i].key;
    for (let j = 0; j < ka.length; j++) {
      if (compareBson(ka[j], kb[j]) !== 0 || typeof ka[j] !== typeof kb[j]) return false;
    }
  }
  return true;
}
