import Table from 'cli-table3';
import type { Colors } from 'picocolors/types';

export type Cell = string | number | null | undefined;

/** A bordered table; headers are bold when colours are on, and no escape codes otherwise. */
export function renderTable(colors: Colors, head: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const table = new Table({
    head: head.map((h) => colors.bold(h)),
    // cli-table3 colours headers itself unless told not to; our Colors already decided.
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) table.push(row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))));
  return table.toString();
}

/** Two columns, label and value, for one record. */
export function renderFields(colors: Colors, fields: ReadonlyArray<readonly [string, Cell]>): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${colors.dim(label.padEnd(width))}  ${value === null || value === undefined ? '-' : String(value)}`).join('\n');
}

export function heading(colors: Colors, text: string): string {
  return colors.bold(colors.cyan(text));
}
