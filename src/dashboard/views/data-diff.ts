import { html, type SafeHtml } from '../html';

export interface DiffRow {
  path: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

/** Leaves of a JSON value by path (`a.b[0]`); arrays and objects compare leaf by leaf. */
function leaves(value: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) leaves(child, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key, out);
  } else {
    out.set(path || '(value)', JSON.stringify(value) ?? 'undefined');
  }
  return out;
}

/** What a reprocess changes in the job's data, field by field. */
export function dataDiff(before: unknown, after: unknown): DiffRow[] {
  const a = leaves(before, '', new Map());
  const b = leaves(after, '', new Map());
  const rows: DiffRow[] = [];
  for (const [path, value] of a) {
    if (!b.has(path)) rows.push({ path, change: 'removed', before: value });
    else if (b.get(path) !== value) rows.push({ path, change: 'changed', before: value, after: b.get(path) });
  }
  for (const [path, value] of b) if (!a.has(path)) rows.push({ path, change: 'added', after: value });
  return rows;
}

export function diffTable(rows: readonly DiffRow[]): SafeHtml {
  if (rows.length === 0) return html`<p id="diff-empty">The data does not change (option corrections, if any, are listed below).</p>`;
  return html`<div class="scroll"><table class="diff" id="data-diff"><thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
<tbody>${rows.map((row) => html`<tr class="${row.change}"><th scope="row"><code>${row.path}</code></th><td><del>${row.before ?? ''}</del></td><td><ins>${row.after ?? ''}</ins></td></tr>`)}</tbody></table></div>`;
}
