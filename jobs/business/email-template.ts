import { PermanentJobError } from '../../src/errors';
import { readConfined } from '../confined-path';

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes a value for HTML text and attribute positions alike. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * Fills `{{name}}` placeholders; a variable the caller did not give is a permanent error.
 * `escape` encodes each inserted value (HTML templates), never the template's own text.
 */
export function fillTemplate(text: string, variables: Record<string, string | number | boolean>, escape: (value: string) => string = (v) => v): string {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    if (!(name in variables)) {
      missing.add(name);
      return '';
    }
    return escape(String(variables[name]));
  });
  if (missing.size > 0) throw new PermanentJobError(`template variables missing: ${[...missing].join(', ')}`, 'MISSING_TEMPLATE_VARIABLE');
  return filled;
}

/** Loads `<name>.txt` and/or `<name>.html` from the template folder; undefined when neither exists. */
export async function findTemplate(dir: string, name: string): Promise<{ text?: string; html?: string } | undefined> {
  const read = (ext: string) =>
    readConfined(dir, `${name}.${ext}`).then(
      ({ content }) => content.toString('utf8'),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
  const [text, html] = await Promise.all([read('txt'), read('html')]);
  return text === undefined && html === undefined ? undefined : { text, html };
}
