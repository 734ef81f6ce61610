import type { DlqOptionCorrections } from '../../domain/dlq-record';
import type { DlqEntry } from '../../storage/dlq-repository';
import { html, type SafeHtml } from '../html';
import { diffTable, type DiffRow } from './data-diff';
import { jsonBlock, when } from './format';
import { canChange, csrfField, notice, type PageContext } from './layout';
import { attemptErrors, historyTimeline } from './timeline';

const NOTICES: Readonly<Record<string, string>> = { reviewed: 'Entry marked as reviewed.' };

function reprocessForm(ctx: PageContext, entry: DlqEntry, correctionsText: string): SafeHtml {
  return html`<form method="post" action="/dashboard/dlq/${entry.id}/preview" class="stack" id="reprocess-form">${csrfField(ctx)}
<label for="corrections">Corrections (JSON object: data fields to change, or priority, maxAttempts, delay, scheduledFor)</label>
<textarea id="corrections" name="corrections" rows="6" spellcheck="false">${correctionsText}</textarea>
<div><button type="submit">Check and show the diff</button></div></form>`;
}

export function dlqEntryPage(ctx: PageContext, entry: DlqEntry, maxReprocess: number, opts: { notice?: string; error?: string; correctionsText?: string } = {}): SafeHtml {
  return html`${notice(opts.notice ? NOTICES[opts.notice] : undefined)}${notice(opts.error, 'error')}
<section class="card" aria-labelledby="entry-h">
  <h2 id="entry-h">${entry.type} <span class="badge severity-${entry.severity}">${entry.severity}</span></h2>
  <dl class="facts">
    <dt>Job</dt><dd><a href="/dashboard/jobs/${encodeURIComponent(entry.jobId)}" id="entry-job">${entry.jobId}</a></dd>
    <dt>Reason</dt><dd>${entry.failureReason}: ${entry.reasonText}</dd>
    <dt>Moved to DLQ</dt><dd>${when(entry.movedAt)}</dd>
    <dt>Attempts</dt><dd>${entry.attempts} of ${entry.maxAttempts}</dd>
    <dt>Reprocessed</dt><dd>${entry.reprocessCount} of at most ${maxReprocess}</dd>
    <dt>Review</dt><dd id="review-state">${entry.review ? html`by <strong>${entry.review.by}</strong> at ${when(entry.review.at)}${entry.review.note ? html`: ${entry.review.note}` : ''}` : 'not reviewed'}</dd>
  </dl>
</section>
<div class="grid2">
<section class="card" aria-labelledby="failed-data-h"><h2 id="failed-data-h">Failed data</h2>${jsonBlock(entry.data, 'failed job data')}</section>
${canChange(ctx)
  ? html`<section class="card" aria-labelledby="act-h"><h2 id="act-h">Review and reprocess</h2>
<form method="post" action="/dashboard/dlq/${entry.id}/review" class="stack">${csrfField(ctx)}<label for="note">Review note</label><textarea id="note" name="note" rows="2" maxlength="2000"></textarea><div><button type="submit">Mark reviewed</button></div></form>
${entry.reprocessCount < maxReprocess ? reprocessForm(ctx, entry, opts.correctionsText ?? '{}') : html`<p>Reprocess limit reached.</p>`}</section>`
  : html`<section class="card"><h2>Actions</h2><p class="muted">Read-only: review and reprocess are hidden.</p></section>`}
</div>
<section class="card" aria-labelledby="errors-h"><h2 id="errors-h">Failed attempts</h2>${attemptErrors(entry.errors)}</section>
<section class="card" aria-labelledby="history-h"><h2 id="history-h">History</h2>${historyTimeline(entry.history)}</section>
<section class="card" aria-labelledby="rh-h"><h2 id="rh-h">Reprocess history</h2>${entry.reprocessHistory.length === 0 ? html`<p>Never reprocessed.</p>` : html`<ol>${entry.reprocessHistory.map((r) => html`<li>${when(r.at)} by <strong>${r.by}</strong> → <a href="/dashboard/jobs/${encodeURIComponent(r.newJobId)}">${r.newJobId}</a>${r.corrections && Object.keys(r.corrections).length > 0 ? html` with <code>${JSON.stringify(r.corrections)}</code>` : ''}</li>`)}</ol>`}</section>`;
}

/** The diff to confirm: before → after of the data, the option corrections, and the button that sends them. */
export function reprocessPreviewPage(ctx: PageContext, entry: DlqEntry, rows: readonly DiffRow[], options: DlqOptionCorrections, correctionsText: string, newJobId: string): SafeHtml {
  return html`<p>Reprocessing <a href="/dashboard/dlq/${entry.id}">${entry.jobId}</a> adds a new job <code>${newJobId}</code> of type ${entry.type}. The corrected data passed the type's schema.</p>
<section class="card" aria-labelledby="diff-h"><h2 id="diff-h">Data: before → after</h2>${diffTable(rows)}</section>
${Object.keys(options).length > 0 && html`<section class="card"><h2>Option corrections</h2>${jsonBlock(options)}</section>`}
<form method="post" action="/dashboard/dlq/${entry.id}/reprocess" class="card">${csrfField(ctx)}<input type="hidden" name="corrections" value="${correctionsText}">
<button type="submit" id="confirm-reprocess">Confirm reprocess</button> <a href="/dashboard/dlq/${entry.id}">Cancel</a></form>`;
}
