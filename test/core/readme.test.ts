import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeWithTable } from '../../scripts/env-table';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it('lists every environment variable the code reads, as the code documents it (pnpm exec tsx scripts/env-table.ts --write)', () => {
    expect(readme).toBe(readmeWithTable(readme));
  });

  it('names the two commands that .ci/run and a newcomer use', () => {
    const ci = readFileSync(join(__dirname, '..', '..', '.ci', 'run'), 'utf8');
    expect(readme).toContain('pnpm install && pnpm test');
    expect(readme).toContain('pnpm install && pnpm demo');
    expect(ci.trim().split('\n').at(-1)).toBe('pnpm install && pnpm test');
  });
});
