import { Database } from './database';
import { EngineError, type ChangeEvent, type Engine } from './types';
import { sweepCollection } from './ttl-sweep';

export interface EngineOptions {
  /** Clock for TTL sweeps without an explicit time (tests inject one). */
  now?: () => Date;
}

function assertDbName(name: string): void {
  if (typeof name !== 'string' || name === '' || /[/\\. "$\0]/.test(name) || name.length > 63) {
    throw new EngineError(73, 'InvalidNamespace', `Invalid database name: '${String(name)}'`);
  }
}

/** The whole in-memory server state: databases, change events, replay and snapshots. */
export class StorageEngine implements Engine {
  private readonly databases = new Map<string, Database>();
  private listener: ((event: ChangeEvent) => void) | undefined;
  private replaying = false;
  private readonly now: () => Date;
  private readonly emit = (event: ChangeEvent): void => {
    if (!this.replaying) this.listener?.(event);
  };

  constructor(options: EngineOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  database(name: string): Database {
    let db = this.databases.get(name);
    if (!db) {
      assertDbName(name);
      db = new Database(name, this.emit);
      this.databases.set(name, db);
    }
    return db;
  }

  listDatabases(): string[] {
    return Array.from(this.databases.values()).filter((db) => db.collections.size > 0).map((db) => db.name);
  }

  dropDatabase(name: string): void {
    const db = this.databases.get(name);
    if (!db) return;
    this.databases.delete(name);
    if (db.collections.size > 0) this.emit({ op: 'dropDatabase', db: name });
  }

  sweepTtl(now?: Date): number {
    const at = now ?? this.now();
    let removed = 0;
    for (const db of this.databases.values()) {
      for (const coll of db.collections.values()) removed += sweepCollection(coll.store, at);
    }
    return removed;
  }

  reset(): void {
    for (const name of Array.from(this.databases.keys())) this.dropDatabase(name);
  }

  onChange(listener: ((event: ChangeEvent) => void) | undefined): void {
    this.listener = listener;
  }

  applyChange(event: ChangeEvent): void {
    this.replaying = true;
    try {
      this.replay(event);
    } finally {
      this.replaying = false;
    }
  }

  private replay(event: ChangeEvent): void {
    switch (event.op) {
      case 'dropDatabase':
        this.dropDatabase(event.db);
        return;
      case 'createCollection': {
        const db = this.database(event.db);
        if (!db.collection(event.coll, false)) db.createCollection(event.coll, event.options);
        return;
      }
      case 'dropCollection':
        this.databases.get(event.db)?.dropCollection(event.coll);
        return;
      default:
        break;
    }
    const coll = this.database(event.db).collection(event.coll, true);
    if (!coll) return;
    switch (event.op) {
      case 'put':
        coll.store.restore(event.doc);
        return;
      case 'delete': {
        const holder = coll.store.getById(event.id);
        if (holder) coll.store.remove(holder, false);
        return;
      }
      case 'createIndex':
        coll.restoreIndex(event.spec);
        return;
      case 'dropIndex':
        coll.store.dropIndex(event.name);
        return;
    }
  }

  snapshot(): ChangeEvent[] {
    const events: ChangeEvent[] = [];
    for (const db of this.databases.values()) {
      for (const coll of db.collections.values()) {
        events.push({ op: 'createCollection', db: db.name, coll: coll.name, options: { ...coll.info.options } });
        for (const spec of coll.listIndexes().slice(1)) events.push({ op: 'createIndex', db: db.name, coll: coll.name, spec });
      }
    }
    for (const db of this.databases.values()) {
      for (const coll of db.collections.values()) {
        for (const holder of coll.store.docs.values()) events.push({ op: 'put', db: db.name, coll: coll.name, doc: holder.doc });
      }
    }
    return events;
  }
}
