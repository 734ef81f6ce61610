import { readFile } from 'node:fs/promises';
import { PermanentJobError } from '../../src/errors';
import { confinedPath } from '../confined-path';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** Fills `{{name}}` placeholders; a variable the caller did not give is a permanent error. */
export function fillTemplate(text: string, variables: Record<string, string | number | boolean>): string {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    if (!(name in variables)) {
      missing.add(name);
      return '';
    }
    return String(variables[name]);
  });
  if (missing.size > 0) throw new PermanentJobError(`template variables missing: ${[...missing].join(', ')}`, 'MISSING_TEMPLATE_VARIABLE');
  return filled;
}

/** Loads `<name>.txt` and/or `<name>.html` from the template folder. */
export async function loadTemplate(dir: string, name: string): Promise<{ text?: string; html?: string }> {
  const read = (ext: string) => readFile(confinedPath(dir, `${name}.${ext}`), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const [text, html] = await Promise.all([read('txt'), read('html')]);
  if (text === undefined && html === undefined) throw new PermanentJobError(`email template "${name}" not found in ${dir}`, 'TEMPLATE_NOT_FOUND');
  return { text, html };
}
