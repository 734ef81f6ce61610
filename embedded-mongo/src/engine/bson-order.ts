/**
 * MongoDB's canonical cross-type ordering and equality of BSON values.
 * mingo orders mixed types differently, so sorts and indexes use this instead.
 * bson classes are recognised by `_bsontype`, never instanceof: two copies of
 * the bson package may be loaded (ESM and CJS) and instanceof fails across them.
 */

export type BsonTag =
  | 'minKey' | 'null' | 'number' | 'string' | 'object' | 'array' | 'binData'
  | 'objectId' | 'bool' | 'date' | 'timestamp' | 'regex' | 'maxKey' | 'other';

/** Rank of each type in MongoDB's comparison order (smaller sorts first). */
const RANK: Record<BsonTag, number> = {
  minKey: 0, null: 1, number: 2, string: 3, object: 4, array: 5, binData: 6,
  objectId: 7, bool: 8, date: 9, timestamp: 10, regex: 11, other: 12, maxKey: 13,
};

export function bsonTypeName(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object') {
    const t = (value as { _bsontype?: unknown })._bsontype;
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

export function tagOf(value: unknown): BsonTag {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'number': case 'bigint': return 'number';
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'object': break;
    default: return 'other';
  }
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  if (value instanceof Uint8Array) return 'binData';
  switch (bsonTypeName(value)) {
    case undefined: return 'object';
    case 'ObjectId': case 'ObjectID': return 'objectId';
    case 'Long': case 'Double': case 'Int32': case 'Decimal128': return 'number';
    case 'Binary': return 'binData';
    case 'Timestamp': return 'timestamp';
    case 'BSONRegExp': return 'regex';
    case 'MinKey': return 'minKey';
    case 'MaxKey': return 'maxKey';
    case 'BSONSymbol': return 'string';
    case 'DBRef': return 'object';
    default: return 'other';
  }
}

export function typeRank(value: unknown): number {
  return RANK[tagOf(value)];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return tagOf(value) === 'object';
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  const v = value as { toNumber?: () => number; value?: unknown; toString(): string };
  if (typeof v.toNumber === 'function') return v.toNumber();
  if (typeof v.value === 'number') return v.value;
  return Number(v.toString());
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function compareNumbers(a: number, b: number): number {
  // NaN sorts below every other number in MongoDB.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const v = value as { buffer?: Uint8Array; id?: Uint8Array; value?: (asRaw: boolean) => Uint8Array };
  if (v.buffer instanceof Uint8Array) return v.buffer;
  if (v.id instanceof Uint8Array) return v.id;
  return new Uint8Array(0);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return sign(a.length - b.length);
}

/** The 12 bytes of an ObjectId (the common key component after strings and numbers), else undefined. */
function objectIdBytes(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as { _bsontype?: unknown; buffer?: unknown };
  if (v._bsontype !== 'ObjectId' && v._bsontype !== 'ObjectID') return undefined;
  const bytes = v.buffer;
  return bytes instanceof Uint8Array && bytes.length === 12 ? bytes : undefined;
}

function objectIdHex(value: unknown): string {
  const v = value as { toHexString?: () => string; toString(): string };
  return typeof v.toHexString === 'function' ? v.toHexString() : v.toString();
}

function regexParts(value: unknown): [string, string] {
  if (value instanceof RegExp) return [value.source, value.flags];
  const v = value as { pattern?: string; options?: string };
  return [v.pattern ?? '', v.options ?? ''];
}

function timestampParts(value: unknown): [number, number] {
  const v = value as { t?: number; i?: number; high?: number; low?: number };
  if (typeof v.t === 'number' && typeof v.i === 'number') return [v.t, v.i];
  return [(v.high ?? 0) >>> 0, (v.low ?? 0) >>> 0];
}

/** Compares two values in MongoDB order: -1, 0 or 1. Missing (undefined) equals null. */
export function compareBson(a: unknown, b: unknown): number {
  // Index keys are mostly plain strings and numbers: skip the type dispatch for them.
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'number' && typeof b === 'number') return compareNumbers(a, b);
  const oa = objectIdBytes(a);
  if (oa) {
    const ob = objectIdBytes(b);
    if (ob) return compareBytes(oa, ob);
  }
  const ta = tagOf(a);
  const tb = tagOf(b);
  if (ta !== tb) return sign(RANK[ta] - RANK[tb]);
  switch (ta) {
    case 'null': case 'minKey': case 'maxKey': return 0;
    case 'number': return compareNumbers(toNumber(a), toNumber(b));
    case 'string': return compareStrings(String(a), String(b));
    case 'bool': return sign(Number(a) - Number(b));
    case 'date': return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case 'objectId': {
      // Byte order is hex order, without building two strings.
      const ba = bytesOf(a);
      const bb = bytesOf(b);
      if (ba.length === 12 && bb.length === 12) return compareBytes(ba, bb);
      return compareStrings(objectIdHex(a), objectIdHex(b));
    }
    case 'array': return compareArrays(a as unknown[], b as unknown[]);
    case 'object': return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
    case 'binData': {
      const ba = bytesOf(a);
      const bb = bytesOf(b);
      if (ba.length !== bb.length) return sign(ba.length - bb.length);
      const sa = (a as { sub_type?: number }).sub_type ?? 0;
      const sb = (b as { sub_type?: number }).sub_type ?? 0;
      return sa !== sb ? sign(sa - sb) : compareBytes(ba, bb);
    }
    case 'timestamp': {
      const [at, ai] = timestampParts(a);
      const [bt, bi] = timestampParts(b);
      return at !== bt ? sign(at - bt) : sign(ai - bi);
    }
    case 'regex': {
      const [ap, af] = regexParts(a);
      const [bp, bf] = regexParts(b);
      return compareStrings(ap, bp) || compareStrings(af, bf);
    }
    default: return compareStrings(String(a), String(b));
  }
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareBson(a[i], b[i]);
    if (c !== 0) return c;
  }
  return sign(a.length - b.length);
}

/** Field by field: the value's type, then the field name, then the value (as BSON does). */
function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]];
    const vb = b[kb[i]];
    const r = sign(typeRank(va) - typeRank(vb));
    if (r !== 0) return r;
    const c = compareStrings(ka[i], kb[i]) || compareBson(va, vb);
    if (c !== 0) return c;
  }
  return sign(ka.length - kb.length);
}

/** BSON equality (field order matters for embedded documents, numbers compare by value). */
export function bsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return compareBson(a, b) === 0 && typeRank(a) === typeRank(b);
}
