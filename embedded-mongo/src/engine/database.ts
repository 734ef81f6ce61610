import { randomUUID } from 'node:crypto';
import { Collection } from './collection';
import { badValue, namespaceExists } from './engine-errors';
import { EngineError, type ChangeEvent, type CollectionInfo, type Doc, type EngineDatabase } from './types';

function uuidBytes(): Uint8Array {
  return new Uint8Array(Buffer.from(randomUUID().replace(/-/g, ''), 'hex'));
}

function assertCollectionName(name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('$') || name.includes('\0') || name.startsWith('.')) {
    throw new EngineError(73, 'InvalidNamespace', `Invalid collection name: ${String(name)}`);
  }
}

/** A database: a named set of collections. Created lazily; exists while it has a collection. */
export class Database implements EngineDatabase {
  readonly collections = new Map<string, Collection>();

  constructor(readonly name: string, private readonly emit: (event: ChangeEvent) => void) {}

  listCollections(): CollectionInfo[] {
    return Array.from(this.collections.values(), (c) => ({ ...c.info, options: { ...c.info.options } }));
  }

  createCollection(name: string, options: Doc = {}): Collection {
    assertCollectionName(name);
    if (this.collections.has(name)) throw namespaceExists(`Collection ${this.name}.${name} already exists.`);
    if (options !== null && typeof options !== 'object') throw badValue('collection options must be an object');
    return this.add(name, { ...options });
  }

  collection(name: string, create: boolean): Collection | undefined {
    const found = this.collections.get(name);
    if (found || !create) return found;
    assertCollectionName(name);
    const created = this.add(name, {});
    created.autoCreated = true;
    return created;
  }

  dropCollection(name: string): number | undefined {
    const coll = this.collections.get(name);
    if (!coll) return undefined;
    const count = coll.store.indexes.length;
    this.collections.delete(name);
    this.emit({ op: 'dropCollection', db: this.name, coll: name });
    return count;
  }

  private add(name: string, options: Doc): Collection {
    const info: CollectionInfo = { name, options, uuid: uuidBytes() };
    const coll = new Collection(this.name, info, this.emit, (other) => {
      const c = this.collections.get(other);
      return c ? Array.from(c.store.docs.values(), (h) => h.doc) : [];
    });
    this.collections.set(name, coll);
    this.emit({ op: 'createCollection', db: this.name, coll: name, options: { ...options } });
    return coll;
  }
}
