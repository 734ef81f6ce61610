import { Long, type Document } from 'bson';

interface OpenCursor {
  ns: string;
  docs: Document[];
  position: number;
  lastUsed: number;
}

/** Open cursors by id; idle ones expire like mongod's (default 10 minutes). */
export class CursorRegistry {
  private readonly cursors = new Map<string, OpenCursor>();
  private nextId = 1n;

  constructor(private readonly idleTimeoutMs: number) {}

  /** The first batch, and a cursor id (0 when everything fit). */
  open(ns: string, docs: Document[], batchSize: number, singleBatch: boolean): { batch: Document[]; id: Long } {
    const batch = docs.slice(0, batchSize);
    if (singleBatch || batch.length >= docs.length) return { batch, id: Long.ZERO };
    const id = this.nextId++;
    this.cursors.set(id.toString(), { ns, docs, position: batch.length, lastUsed: Date.now() });
    return { batch, id: Long.fromBigInt(id) };
  }

  next(id: string, batchSize: number): { batch: Document[]; id: Long; ns: string } | undefined {
    const cursor = this.cursors.get(id);
    if (!cursor) return undefined;
    const batch = cursor.docs.slice(cursor.position, cursor.position + batchSize);
    cursor.position += batch.length;
    cursor.lastUsed = Date.now();
    if (cursor.position >= cursor.docs.length) {
      this.cursors.delete(id);
      return { batch, id: Long.ZERO, ns: cursor.ns };
    }
    return { batch, id: Long.fromString(id), ns: cursor.ns };
  }

  kill(id: string): boolean {
    return this.cursors.delete(id);
  }

  expire(now = Date.now()): number {
    let n = 0;
    for (const [id, cursor] of this.cursors) {
      if (now - cursor.lastUsed > this.idleTimeoutMs) {
        this.cursors.delete(id);
        n += 1;
      }
    }
    return n;
  }

  clear(): void {
    this.cursors.clear();
  }
}
