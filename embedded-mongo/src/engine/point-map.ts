import { tagOf, toNumber } from './bson-order';
import type { IndexEntry } from './ordered-index';

/** A key the point map does not hold (embedded documents, arrays, bson types other than the common ones). */
export const NOT_POINT = Symbol('not-point');

/**
 * The entries of a unique single-field index by key, for keys of the types equality
 * queries use (null, numbers, strings, booleans, Dates, ObjectIds): an equality probe
 * or a uniqueness check is then one hash lookup instead of a tree walk. Two keys share
 * a slot exactly when compareBson finds them equal (numbers by value, Dates by time,
 * ObjectIds by bytes); keys of other types never meet these in the tree either, since
 * values of different BSON types never compare equal.
 */
export class PointMap {
  /** Strings, numbers, booleans and null: distinct JS types never collide in a Map. */
  private readonly scalars = new Map<unknown, IndexEntry>();
  /** Dates and ObjectIds, by `d<time>` / `o<hex>`. */
  private readonly tagged = new Map<string, IndexEntry>();

  /** The entry whose key equals `value`, undefined when none, NOT_POINT when the map cannot tell. */
  get(value: unknown): IndexEntry | undefined | typeof NOT_POINT {
    switch (typeof value) {
      case 'string': case 'boolean': return this.scalars.get(value);
      case 'number': return this.scalars.get(value);
      case 'undefined': return this.scalars.get(null);
      default: break;
    }
    const slot = this.slotOf(value);
    if (slot === NOT_POINT) return NOT_POINT;
    return slot.tagged ? this.tagged.get(slot.key as string) : this.scalars.get(slot.key);
  }

  add(entry: IndexEntry): void {
    const slot = this.slotOf(entry.key[0]);
    if (slot === NOT_POINT) return;
    if (slot.tagged) this.tagged.set(slot.key as string, entry);
    else this.scalars.set(slot.key, entry);
  }

  /** Removes the slot of `entry`'s key if it holds that document's entry. */
  remove(entry: IndexEntry): void {
    const slot = this.slotOf(entry.key[0]);
    if (slot === NOT_POINT) return;
    const map: Map<unknown, IndexEntry> = slot.tagged ? this.tagged : this.scalars;
    if (map.get(slot.key)?.seq === entry.seq) map.delete(slot.key);
  }

  clear(): void {
    this.scalars.clear();
    this.tagged.clear();
  }

  private slotOf(value: unknown): { key: unknown; tagged: boolean } | typeof NOT_POINT {
    switch (tagOf(value)) {
      case 'null': return { key: null, tagged: false };
      // Map keys compare by SameValueZero: 0 and -0 share a slot, NaN has one, as in compareBson.
      case 'number': return { key: toNumber(value), tagged: false };
      case 'string': return { key: String(value), tagged: false };
      case 'bool': return { key: value, tagged: false };
      case 'date': return { key: `d${(value as Date).getTime()}`, tagged: true };
      case 'objectId': {
        const hex = (value as { toHexString?: () => string }).toHexString?.();
        return typeof hex === 'string' ? { key: `o${hex}`, tagged: true } : NOT_POINT;
      }
      default: return NOT_POINT;
    }
  }
}
