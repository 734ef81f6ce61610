import { compareBson, isPlainObject } from './bson-order';
import { pathValues } from './document-paths';
import { duplicateKeyError } from './duplicate-key';
import { parallelArrays } from './engine-errors';
import { compileFilter, type CompiledFilter } from './mingo-context';
import { OrderedIndex, type DocHolder, type IndexEntry } from './ordered-index';
import { NOT_POINT, PointMap } from './point-map';
import type { Doc, IndexSpec } from './types';
import { valueKey } from './value-key';

/**
 * One index of a collection (including `_id_`): its spec, its ordered entries,
 * and the rules for which documents it holds (sparse, partial) and uniqueness.
 */
export class SecondaryIndex {
  readonly fields: string[];
  private readonly fieldPaths: string[][];
  readonly directions: number[];
  readonly tree: OrderedIndex;
  /** Unique single-field indexes: the same entries by key (see PointMap). */
  readonly points: PointMap | undefined;
  /** Set once some document produced several keys; planner then avoids index-provided sort. */
  multikey = false;
  private readonly partial: CompiledFilter | undefined;
  /** The paths whose values decide this index's entries (key and partial-filter fields); undefined: unknown. */
  private readonly watched: string[][] | undefined;
  private readonly watchedRoots: Set<string>;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.fieldPaths = this.fields.map((f) => f.split('.'));
    this.directions = this.fields.map((f) => (spec.key[f] < 0 ? -1 : 1));
    this.tree = new OrderedIndex(this.directions);
    this.points = spec.unique && this.fields.length === 1 ? new PointMap() : undefined;
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    const filterFields = spec.partialFilterExpression ? fieldsOfFilter(spec.partialFilterExpression) : [];
    const watched = filterFields && [...this.fields, ...filterFields].map(documentPath);
    // A path cut to nothing (`0.a`) lies under every write.
    this.watched = watched?.every((w) => w.length > 0) ? watched : undefined;
    this.watchedRoots = new Set(this.watched?.map((w) => w[0]));
  }

  /**
   * Whether writing `written` (paths cut at their first array-element segment) may
   * change this index's entries: false only when no written path and no watched path
   * is a prefix of the other, so updates of unindexed fields skip the index entirely.
   */
  touchedBy(written: ReadonlyArray<readonly string[]>): boolean {
    const watched = this.watched;
    if (!watched) return true;
    for (const p of written) {
      if (p.length === 0) return true;
      if (!this.watchedRoots.has(p[0])) continue;
      if (watched.some((w) => isPrefix(w, p) || isPrefix(p, w))) return true;
    }
    return false;
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
    // Without arrays on the key paths a document has exactly one key: read it directly.
    const key: unknown[] = [];
    let present = false;
    for (const segs of this.fieldPaths) {
      const value = valueWithoutArrays(doc, segs);
      if (value === HAS_ARRAY) return this.multikeyEntries(doc, holder);
      if (value !== undefined) present = true;
      key.push(value ?? null);
    }
    if (this.spec.sparse && !present) return [];
    return [{ key, seq, holder }];
  }

  /** keysFor when some key path meets an array: one entry per distinct element value. */
  private multikeyEntries(doc: Doc, holder: DocHolder): IndexEntry[] {
    const seq = holder.seq;
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
    for (const e of entries) {
      this.tree.insert(e);
      this.points?.add(e);
    }
  }

  remove(entries: IndexEntry[]): void {
    for (const e of entries) {
      this.tree.remove(e);
      this.points?.remove(e);
    }
  }

  clear(): void {
    this.tree.clear();
    this.points?.clear();
  }

  /** For a unique index: throws 11000 if another document (seq ≠ own) already has one of these keys. */
  assertUnique(entries: IndexEntry[], ownSeq: number, ns: string, pending?: Set<string>): void {
    if (!this.spec.unique) return;
    for (const entry of entries) {
      const point = this.points ? this.points.get(entry.key[0]) : NOT_POINT;
      if (point !== NOT_POINT) {
        if (point && point.seq !== ownSeq) throw this.duplicate(ns, entry.key);
      } else {
        for (const other of this.tree.forward({ key: entry.key, seq: -Infinity }, { key: entry.key, seq: Infinity })) {
          if (other.seq !== ownSeq) throw this.duplicate(ns, entry.key);
        }
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

const HAS_ARRAY = Symbol('has-array');

/** The value at a path as pathValues sees it when no array is on the way; HAS_ARRAY otherwise. */
function valueWithoutArrays(doc: Doc, segs: string[]): unknown {
  let cur: unknown = doc;
  for (const seg of segs) {
    if (Array.isArray(cur)) return HAS_ARRAY;
    if (!isPlainObject(cur)) return undefined;
    cur = cur[seg];
  }
  return Array.isArray(cur) ? HAS_ARRAY : cur;
}

/** The path's segments up to its first numeric one (which may index an array: any write under it counts). */
function documentPath(path: string): string[] {
  const segs = path.split('.');
  const cut = segs.findIndex((s) => /^\d+$/.test(s));
  return cut < 0 ? segs : segs.slice(0, cut);
}

function isPrefix(a: readonly string[], b: readonly string[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The field paths a filter reads, or undefined when it uses a top-level operator that could read any ($expr, $where...). */
function fieldsOfFilter(filter: Doc): string[] | undefined {
  const out: string[] = [];
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(cond)) return undefined;
      for (const part of cond) {
        const inner = isPlainObject(part) ? fieldsOfFilter(part) : undefined;
        if (!inner) return undefined;
        out.push(...inner);
      }
    } else if (key.startsWith('$')) {
      return undefined;
    } else {
      out.push(key);
    }
  }
  return out;
}
