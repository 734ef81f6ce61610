import { compareComponent } from './key-bound';

import type { Doc } from './types';

/** The mutable slot of one stored document: updates swap `doc` (itself immutable) in place. */
export interface DocHolder {
  doc: Doc;
  /** Insertion sequence: the final tie-breaker, so ties walk in natural order. */
  readonly seq: number;
}

/** One key of one document in an index. Several per document when the index is multikey. */
export interface IndexEntry {
  key: unknown[];
  seq: number;
  holder?: DocHolder;
}

const MAX_BLOCK = 512;

export interface Position {
  block: number;
  offset: number;
}

/**
 * A sorted list of entries kept in blocks of at most MAX_BLOCK, so inserting or
 * removing costs a binary search plus a small splice, independent of the
 * collection size (a flat array would memmove the whole list each time).
 */
export class OrderedIndex {
  private blocks: IndexEntry[][] = [];
  private count = 0;

  constructor(private readonly directions: number[]) {}

  get size(): number {
    return this.count;
  }

  /** Index order: each component by BSON order times its direction, then by seq. */
  compare(a: IndexEntry, b: IndexEntry): number {
    const dirs = this.directions;
    const ka = a.key;
    const kb = b.key;
    for (let i = 0; i < dirs.length; i++) {
      const x = ka[i];
      const y = kb[i];
      // Strings and numbers (most key components) compared inline; NaN and the rest by compareComponent.
      let c: number;
      if (typeof x === 'string' && typeof y === 'string') c = x < y ? -1 : x > y ? 1 : 0;
      else if (typeof x === 'number' && typeof y === 'number' && x === x && y === y) c = x < y ? -1 : x > y ? 1 : 0;
      else c = compareComponent(x, y);
      if (c !== 0) return c * dirs[i];
    }
    return a.seq - b.seq;
  }

  /** First position whose entry is >= probe. */
  lowerBound(probe: IndexEntry): Position {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = blocks[mid];
      if (this.compare(block[block.length - 1], probe) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === blocks.length) return { block: lo, offset: 0 };
    const block = blocks[lo];
    let a = 0;
    let b = block.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (this.compare(block[mid], probe) < 0) a = mid + 1;
      else b = mid;
    }
    return { block: lo, offset: a };
  }

  insert(entry: IndexEntry): void {
    this.count++;
    if (this.blocks.length === 0) {
      this.blocks.push([entry]);
      return;
    }
    let { block, offset } = this.lowerBound(entry);
    if (block === this.blocks.length) {
      block = this.blocks.length - 1;
      offset = this.blocks[block].length;
    }
    const target = this.blocks[block];
    target.splice(offset, 0, entry);
    if (target.length > MAX_BLOCK * 2) {
      this.blocks.splice(block + 1, 0, target.splice(MAX_BLOCK));
    }
  }

  /** Removes the entry equal to `entry` (same key and seq); false if absent. */
  remove(entry: IndexEntry): boolean {
    const { block, offset } = this.lowerBound(entry);
    const target = this.blocks[block];
    if (!target || offset >= target.length || this.compare(target[offset], entry) !== 0) return false;
    target.splice(offset, 1);
    if (target.length === 0) this.blocks.splice(block, 1);
    this.count--;
    return true;
  }

  /** Entries from the first >= `start` while < `end`, in index order. */
  *forward(start: IndexEntry, end: IndexEntry): Generator<IndexEntry> {
    let { block, offset } = this.lowerBound(start);
    const blocks = this.blocks;
    while (block < blocks.length) {
      const b = blocks[block];
      for (; offset < b.length; offset++) {
        if (this.compare(b[offset], end) >= 0) return;
        yield b[offset];
      }
      block++;
      offset = 0;
    }
  }

  /** Entries from the last < `end` down while >= `start`, in reverse index order. */
  *backward(start: IndexEntry, end: IndexEntry): Generator<IndexEntry> {
    const pos = this.lowerBound(end);
    let block = pos.block;
    let offset = pos.offset - 1;
    const blocks = this.blocks;
    while (block >= 0) {
      if (block < blocks.length) {
        const b = blocks[block];
        if (offset >= b.length) offset = b.length - 1;
        for (; offset >= 0; offset--) {
          if (this.compare(b[offset], start) < 0) return;
          yield b[offset];
        }
      }
      block--;
      offset = block >= 0 && block < blocks.length ? blocks[block].length - 1 : -1;
    }
  }

  clear(): void {
    this.blocks = [];
    this.count = 0;
  }
}
