/**
 * 6. The embedded MongoDB's own figures: runs `runEmbeddedMongoBench()` from
 * bench/embedded-mongo.ts (another engineer's module) when that module exists.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { withTimeout } from './measure';

const MODULE = join(__dirname, '..', 'embedded-mongo.ts');
const MAX_MS = 120_000;

export interface EmbeddedOutcome {
  ran: boolean;
  result?: unknown;
  skipped?: string;
  error?: string;
  seconds?: number;
}

export async function runEmbeddedMongoFigures(): Promise<EmbeddedOutcome> {
  if (!existsSync(MODULE)) return { ran: false, skipped: 'bench/embedded-mongo.ts does not exist (yet)' };
  let mod: { runEmbeddedMongoBench?: () => Promise<unknown> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(MODULE) as typeof mod;
  } catch (error) {
    return { ran: false, error: `could not load bench/embedded-mongo.ts: ${(error as Error).message.split('\n')[0]}` };
  }
  if (typeof mod.runEmbeddedMongoBench !== 'function') return { ran: false, skipped: 'bench/embedded-mongo.ts exports no runEmbeddedMongoBench()' };
  const t0 = Date.now();
  try {
    const result = await withTimeout(mod.runEmbeddedMongoBench(), MAX_MS, 'runEmbeddedMongoBench');
    return { ran: true, result, seconds: (Date.now() - t0) / 1000 };
  } catch (error) {
    return { ran: false, error: (error as Error).message, seconds: (Date.now() - t0) / 1000 };
  }
}
