import { DlqSeverity } from '../../domain/dlq-record';
import type { ReprocessPlanItem, ReprocessRunItem } from '../../http/dlq-reprocess-plan';
import type { DlqEntry } from '../../storage/dlq-repository';
import { html, type SafeHtml } from '../html';
import { queryString, when } from './format';
import { canChange, csrfField, notice, type PageContext } from './layout';

export type DlqFilterForm = Partial<Record<'severity' | 'type' | 'reason' | 'reviewed', string>>;

export interface DlqStatsView {
  totalEntries: number;
  byJobType: Record<string, number>;
  byFailureReason: Record<string, number>;
  bySeverity: Record<string, number>;
  oldestEntry: Date | null;
  byAge: Array<{ label: string; count: number }>;
}

function countList(id: string, title: string, counts: Record<string, number>): SafeHtml {
  const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return html`<div><h3>${title}</h3>${rows.length === 0 ? html`<p>–</p>` : html`<ul class="counts" id="${id}">${rows.map(([k, n]) => html`<li><span>${k}</span> <strong>${n}</strong></li>`)}</ul>`}</div>`;
}

function filterFields(form: DlqFilterForm): SafeHtml {
  return html`<label>Severity<select name="severity"><option value="">any</option>${Object.values(DlqSeverity).map((s) => html`<option${s === form.severity ? html` selected` : ''}>${s}</option>`)}</select></label>
  <label>Type<input name="type" value="${form.type ?? ''}"></label>
  <label>Reason<input name="reason" value="${form.reason ?? ''}"></label>
  <label>Reviewed<select name="reviewed"><option value="">any</option><option value="true"${form.reviewed === 'true' ? html` selected` : ''}>yes</option><option value="false"${form.reviewed === 'false' ? html` selected` : ''}>no</option></select></label>`;
}

function hiddenFilter(form: DlqFilterForm): SafeHtml {
  return html`${Object.entries(form).map(([k, v]) => (v ? html`<input type="hidden" name="${k}" value="${v}">` : ''))}`;
}

/** The stats card: it aggregates every entry, so the list page loads it after itself (htmx). */
export function dlqStatsPanel(stats: DlqStatsView): SafeHtml {
  return html`<section class="card" aria-labelledby="dlq-stats-h" id="dlq-stats">
  <h2 id="dlq-stats-h"><span id="dlq-total">${stats.totalEntries}</span> entries${stats.oldestEntry ? `, oldest moved ${when(stats.oldestEntry)}` : ''}</h2>
  <div class="grid4">
    ${countList('by-severity', 'By severity', stats.bySeverity)}
    ${countList('by-type', 'By type', stats.byJobType)}
    ${countList('by-reason', 'By reason', stats.byFailureReason)}
    <div><h3>By age</h3><ul class="counts">${stats.byAge.map((a) => html`<li><span>${a.label}</span> <strong>${a.count}</strong></li>`)}</ul></div>
  </div>
</section>`;
}

export function dlqListPage(ctx: PageContext, form: DlqFilterForm, entries: readonly DlqEntry[], skip: number, pageSize: number, problems: readonly string[]): SafeHtml {
  return html`<section class="card" id="dlq-stats" hx-get="/dashboard/dlq/stats" hx-trigger="load" hx-swap="outerHTML"><h2>Statistics</h2><p class="muted">Loading… (<a href="/dashboard/dlq/stats">open</a>)</p></section>
<form method="get" action="/dashboard/dlq" class="card search" role="search">${filterFields(form)}<button type="submit">Filter</button></form>
${problems.length > 0 && notice(`Filter not applied: ${problems.join('; ')}`, 'error')}
<div class="scroll"><table id="dlq-list"><thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">Severity</th><th scope="col">Reason</th><th scope="col">Moved</th><th scope="col">Attempts</th><th scope="col">Reviewed</th><th scope="col">Reprocessed</th></tr></thead>
<tbody>${entries.length === 0 ? html`<tr><td colspan="8">No entry matches.</td></tr>` : entries.map(
    (e) => html`<tr><th scope="row"><a href="/dashboard/dlq/${e.id}">${e.jobId}</a></th><td>${e.type}</td><td><span class="badge severity-${e.severity}">${e.severity}</span></td><td>${e.failureReason}</td><td>${when(e.movedAt)}</td><td class="num">${e.attempts}</td><td>${e.review ? `by ${e.review.by}` : 'no'}</td><td class="num">${e.reprocessCount}</td></tr>`,
  )}</tbody></table></div>
<p class="pager">${skip > 0 && html`<a href="/dashboard/dlq${queryString({ ...form, skip: Math.max(0, skip - pageSize) })}" rel="prev">← Previous</a> `}${entries.length === pageSize && html`<a href="/dashboard/dlq${queryString({ ...form, skip: skip + pageSize })}" rel="next">Next page →</a>`}</p>
${canChange(ctx) && html`<section class="card" aria-labelledby="bulk-h"><h2 id="bulk-h">Bulk reprocess (this filter)</h2>
<form method="post" action="/dashboard/dlq/bulk" class="stack">${csrfField(ctx)}${hiddenFilter(form)}
<label>How many entries at most (newest first)<input name="limit" type="number" min="1" max="500" value="50" required></label>
<label>Corrections for every entry (JSON object, optional)<textarea name="corrections" rows="3" spellcheck="false">{}</textarea></label>
<div><button type="submit" name="mode" value="dry-run">Dry run: show what would happen</button></div>
</form></section>`}`;
}

function planRows(items: ReadonlyArray<ReprocessPlanItem | ReprocessRunItem>): SafeHtml {
  return html`<div class="scroll"><table id="bulk-plan"><thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">Action</th><th scope="col">Detail</th></tr></thead>
<tbody>${items.map((item) => html`<tr class="${item.action}"><th scope="row"><a href="/dashboard/dlq/${item.entryId}">${item.jobId}</a></th><td>${item.type}</td><td>${item.action}</td><td>${'why' in item ? item.why : html`new job <a href="/dashboard/jobs/${encodeURIComponent(item.newJobId)}">${item.newJobId}</a>`}</td></tr>`)}</tbody></table></div>`;
}

export function bulkPlanPage(ctx: PageContext, form: DlqFilterForm, limit: number, correctionsText: string, plan: readonly ReprocessPlanItem[], perSecond: number): SafeHtml {
  const runnable = plan.filter((p) => p.action === 'reprocess').length;
  return html`<p id="plan-summary"><strong>Dry run:</strong> ${plan.length} entries match; ${runnable} would be reprocessed, ${plan.length - runnable} skipped. Nothing has changed yet.</p>
${planRows(plan)}
${runnable > 0 && html`<form method="post" action="/dashboard/dlq/bulk" class="card">${csrfField(ctx)}${hiddenFilter(form)}<input type="hidden" name="limit" value="${limit}"><input type="hidden" name="corrections" value="${correctionsText}">
<p>Runs at most ${perSecond} reprocesses per second. Entries that changed since this dry run are checked again.</p>
<button type="submit" name="mode" value="run" class="danger">Reprocess ${runnable} entries</button></form>`}
<p><a href="/dashboard/dlq${queryString(form)}">Back to the list</a></p>`;
}

export function bulkResultPage(form: DlqFilterForm, results: readonly ReprocessRunItem[]): SafeHtml {
  const done = results.filter((r) => r.action === 'reprocess').length;
  return html`<p id="bulk-summary" role="status">${done} reprocessed, ${results.length - done} skipped or failed.</p>${planRows(results)}<p><a href="/dashboard/dlq${queryString(form)}">Back to the list</a></p>`;
}
