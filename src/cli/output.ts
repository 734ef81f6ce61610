import pc from 'picocolors';
import type { Colors } from 'picocolors/types';

export type { Colors } from 'picocolors/types';

/** Where and how a command prints: JSON for scripts, tables with colours for people at a terminal. */
export interface Output {
  readonly json: boolean;
  readonly colors: Colors;
  readonly isTTY: boolean;
  /** Columns of the terminal (80 when stdout is not one). */
  readonly width: number;
  text(text: string): Promise<void>;
  data(value: unknown): Promise<void>;
}

export function createOutput(json: boolean, stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Output {
  const isTTY = stream.isTTY === true;
  const colour = !json && (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' ? true : isTTY && env.NO_COLOR === undefined);
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => stream.write(text.endsWith('\n') ? text : `${text}\n`, (error) => (error ? reject(error) : resolve())));
  return {
    json,
    colors: pc.createColors(colour),
    isTTY,
    width: terminalWidth(stream),
    text: write,
    data: (value) => write(toJson(value)),
  };
}

/** Plain JSON: ObjectIds and Dates become strings through their toJSON. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Columns of the terminal; a pseudo-terminal without a size reports 0, which means "unknown" here (80). */
export function terminalWidth(stream: NodeJS.WriteStream): number {
  // Output to a pipe or file (scripts, `monitor --once > file`) is never cut to a screen's width.
  if (!stream.isTTY) return 1000;
  const columns = stream.columns;
  return typeof columns === 'number' && columns > 0 ? columns : 80;
}
