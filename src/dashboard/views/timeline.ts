import type { JobAttemptError, JobHistoryEntry } from '../../domain/job-record';
import { html, type SafeHtml } from '../html';
import { duration, statusBadge, when } from './format';

/** The audit trail: every status change, oldest first (from → to, when, by whom, why). */
export function historyTimeline(history: readonly JobHistoryEntry[] | undefined): SafeHtml {
  if (!history || history.length === 0) return html`<p>No recorded transitions.</p>`;
  return html`<ol class="timeline" id="audit-trail">${history.map(
    (entry) => html`<li><span class="when">${when(entry.at)}</span> <span class="transition">${entry.from ? statusBadge(entry.from) : html`<span class="badge">new</span>`} → ${statusBadge(entry.to)}</span> <span class="by">by <strong>${entry.by}</strong></span>${entry.reason ? html` <span class="why">${entry.reason}</span>` : ''}</li>`,
  )}</ol>`;
}

/** Every failed attempt with its error; stacks fold away. */
export function attemptErrors(errors: readonly JobAttemptError[] | undefined): SafeHtml {
  if (!errors || errors.length === 0) return html`<p>No failed attempt.</p>`;
  return html`<ol class="attempts" id="attempt-errors">${errors.map(
    (e) => html`<li><p><strong>Attempt ${e.attempt}</strong> · ${when(e.at)} · ${e.workerId} · ${duration(e.durationMs)}</p>
<p class="error-line"><code>${e.name}${e.code ? ` (${e.code})` : ''}</code>: ${e.message}</p>
${e.stack ? html`<details><summary>Stack</summary><pre class="stack">${e.stack}</pre></details>` : ''}</li>`,
  )}</ol>`;
}
