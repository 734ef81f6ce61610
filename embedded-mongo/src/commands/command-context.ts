import type { Document } from 'bson';
import type { Engine } from '../engine';
import type { CursorRegistry } from './cursor-registry';

/** What a command handler gets: the engine, the cursors, and the connection it serves. */
export interface CommandContext {
  engine: Engine;
  cursors: CursorRegistry;
  connectionId: number;
}

export type CommandHandler = (command: Document, db: string, context: CommandContext) => Document;

/** A reply-shaped failure with MongoDB's code (the dispatcher turns it into `{ok: 0, ...}`). */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

export function requireString(command: Document, field: string): string {
  const value = command[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw new CommandError(2, 'BadValue', `field '${field}' must be a non-empty string, got ${typeof value}`);
  }
  return value;
}

export function optionalDocument(command: Document, field: string): Document | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new CommandError(14, 'TypeMismatch', `field '${field}' must be an object`);
  return value as Document;
}

export function optionalNumber(command: Document, field: string): number | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof (value as { toNumber?: () => number }).toNumber === 'function' ? (value as { toNumber: () => number }).toNumber() : NaN;
  if (!Number.isFinite(n)) throw new CommandError(14, 'TypeMismatch', `field '${field}' must be a number`);
  return n;
}

export function optionalArray(command: Document, field: string): Document[] | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new CommandError(14, 'TypeMismatch', `field '${field}' must be an array`);
  return value as Document[];
}
