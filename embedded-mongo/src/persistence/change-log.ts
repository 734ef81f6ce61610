import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'bson';
import type { ChangeEvent, Engine } from '../engine';

const SNAPSHOT = 'snapshot.bson';
const LOG = 'changes.log';

/**
 * File persistence for the embedded server: a snapshot (the engine's state as change events)
 * plus an append-only log of every change since. Each record is one BSON document `{ e }`;
 * BSON's own length prefix frames it, so a record torn by a crash is detected and ignored.
 * Opening replays snapshot then log, then compacts both into a new snapshot.
 */
export class ChangeLog {
  private fd: number | undefined;

  constructor(private readonly dir: string) {}

  /** Restores the engine from disk, compacts, and starts recording its changes. */
  open(engine: Engine): { restored: number } {
    mkdirSync(this.dir, { recursive: true });
    let restored = 0;
    for (const file of [SNAPSHOT, LOG]) {
      for (const event of readRecords(join(this.dir, file))) {
        engine.applyChange(event);
        restored += 1;
      }
    }
    this.compact(engine);
    this.fd = openSync(join(this.dir, LOG), 'a');
    engine.onChange((event) => this.append(event));
    return { restored };
  }

  /** Writes a fresh snapshot and empties the log. */
  compact(engine: Engine): void {
    const temp = join(this.dir, `${SNAPSHOT}.tmp`);
    const fd = openSync(temp, 'w');
    try {
      for (const event of engine.snapshot()) writeSync(fd, serialize({ e: event }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // Rename is atomic: a crash leaves either the old snapshot with its log, or the new one.
    renameSync(temp, join(this.dir, SNAPSHOT));
    closeSync(openSync(join(this.dir, LOG), 'w'));
  }

  close(engine: Engine): void {
    engine.onChange(undefined);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.compact(engine);
  }

  private append(event: ChangeEvent): void {
    if (this.fd !== undefined) writeSync(this.fd, serialize({ e: event }));
  }
}

function* readRecords(path: string): Generator<ChangeEvent> {
  if (!existsSync(path)) return;
  const data = readFileSync(path);
  let offset = 0;
  while (offset + 4 <= data.length) {
    const size = data.readInt32LE(offset);
    if (size < 5 || offset + size > data.length) return; // torn tail: the write never finished
    let record: { e?: ChangeEvent };
    try {
      record = deserialize(data.subarray(offset, offset + size)) as { e?: ChangeEvent };
    } catch {
      return;
    }
    offset += size;
    if (record.e) yield record.e;
  }
}
