import { compareBson, typeRank } from './bson-order';

/**
 * A position between index keys, used as a search probe: just before/after a
 * value, at the start/end of one BSON type's bracket, or before/after all keys.
 * Range queries only match within the bound's type (a Date never matches a
 * number in `$lt`), hence the type brackets.
 */
export class KeyBound {
  private constructor(
    private readonly kind: 'value' | 'type' | 'global',
    private readonly value: unknown,
    private readonly rank: number,
    /** -1: just before, 1: just after. */
    private readonly bias: -1 | 1,
  ) {}

  static before(value: unknown): KeyBound { return new KeyBound('value', value, 0, -1); }
  static after(value: unknown): KeyBound { return new KeyBound('value', value, 0, 1); }
  static typeStart(value: unknown): KeyBound { return new KeyBound('type', undefined, typeRank(value), -1); }
  static typeEnd(value: unknown): KeyBound { return new KeyBound('type', undefined, typeRank(value), 1); }
  static readonly LOW = new KeyBound('global', undefined, 0, -1);
  static readonly HIGH = new KeyBound('global', undefined, 0, 1);

  /** Sign of (this bound − x) in value order; never 0. */
  compareTo(x: unknown): number {
    if (this.kind === 'global') return this.bias;
    if (this.kind === 'type') {
      const r = typeRank(x);
      return r === this.rank ? this.bias : this.rank < r ? -1 : 1;
    }
    return compareBson(this.value, x) || this.bias;
  }
}

/** Compares an index key component with another component or a bound, in value order. */
export function compareComponent(a: unknown, b: unknown): number {
  // Plain strings and numbers (most key components) are never bounds.
  const ta = typeof a;
  if (ta === typeof b && (ta === 'string' || ta === 'number')) return compareBson(a, b);
  // Dates (TTL and lease keys) by time, as compareBson does, without its type dispatch.
  if (a instanceof Date && b instanceof Date) {
    const x = a.getTime();
    const y = b.getTime();
    if (x === x && y === y) return x < y ? -1 : x > y ? 1 : 0;
  }
  if (b instanceof KeyBound) return -b.compareTo(a);
  if (a instanceof KeyBound) return a.compareTo(b);
  return compareBson(a, b);
}
