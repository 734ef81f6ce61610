/**
 * Prints the README's configuration table from the variable tables in code, or with `--write`
 * puts it between the env-table markers of README.md. A test keeps the two in step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedVariables } from '../src/config/variable-catalog';

export function renderEnvTable(): string {
  const rows = documentedVariables().map((v) => `| \`${v.name}\` | ${v.default === '' ? '—' : `\`${v.default}\``} | ${v.description} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

const START = '<!-- env-table:start -->';
const END = '<!-- env-table:end -->';

export function readmeWithTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error('README.md lacks the env-table markers');
  return `${readme.slice(0, start + START.length)}\n${renderEnvTable()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const path = join(__dirname, '..', 'README.md');
  if (process.argv.includes('--write')) writeFileSync(path, readmeWithTable(readFileSync(path, 'utf8')));
  else process.stdout.write(`${renderEnvTable()}\n`);
}
