import { JobStatus } from '../../domain/job-status';
import type { JobDocument } from '../../storage/job-store';
import { html, type SafeHtml } from '../html';
import { jsonBlock, statusBadge, when } from './format';
import { actionButton, canChange, csrfField, notice, type PageContext } from './layout';
import { attemptErrors, historyTimeline } from './timeline';

const NOTICES: Readonly<Record<string, string>> = {
  cancelled: 'Job cancelled.',
  rescheduled: 'Job rescheduled.',
  run_now: 'Job released: it runs next.',
  reprocessed: 'Dead job reprocessed from its DLQ entry as a new job.',
};

const WAITING: readonly string[] = [JobStatus.Scheduled, JobStatus.Pending, JobStatus.Batched];

/** Only what the job's status allows: cancel or move a waiting job, retry a dead one or one waiting out its backoff. */
function actions(ctx: PageContext, job: JobDocument): SafeHtml {
  if (!canChange(ctx)) return html`<p class="muted">Read-only: actions are hidden.</p>`;
  const base = `/dashboard/jobs/${encodeURIComponent(job.jobId)}`;
  const parts: SafeHtml[] = [];
  if (job.status === JobStatus.Scheduled && job.attempts > 0) parts.push(actionButton(ctx, `${base}/retry`, 'Retry now'));
  else if (job.status === JobStatus.Scheduled) parts.push(actionButton(ctx, `${base}/run-now`, 'Run now'));
  if (job.status === JobStatus.Dead) parts.push(actionButton(ctx, `${base}/retry`, 'Retry (reprocess DLQ entry)'));
  if (WAITING.includes(job.status)) {
    parts.push(html`<form method="post" action="${base}/reschedule" class="inline">${csrfField(ctx)}<label>Run at (UTC)<input type="datetime-local" name="runAt" required step="1"></label><button type="submit">Reschedule</button></form>`);
    parts.push(html`<form method="post" action="${base}/cancel" class="inline">${csrfField(ctx)}<label>Reason<input name="reason" maxlength="500"></label><button type="submit" class="danger">Cancel job</button></form>`);
  }
  return parts.length > 0 ? html`<div class="actions">${parts}</div>` : html`<p class="muted">No action applies to a ${job.status} job.</p>`;
}

export function jobPage(ctx: PageContext, job: JobDocument, noticeCode: string | undefined, error: string | undefined): SafeHtml {
  return html`${notice(noticeCode ? NOTICES[noticeCode] : undefined)}${notice(error, 'error')}
<section class="card" aria-labelledby="summary-h">
  <h2 id="summary-h">${job.type} ${statusBadge(job.status)}</h2>
  <dl class="facts">
    <dt>Job id</dt><dd><code id="job-id">${job.jobId}</code></dd>
    <dt>Band / priority</dt><dd>${job.band} / ${job.priority}</dd>
    <dt>Attempts</dt><dd>${job.attempts} of ${job.maxAttempts}</dd>
    <dt>Created</dt><dd>${when(job.createdAt)}</dd>
    <dt>Run at</dt><dd>${when(job.runAt)}</dd>
    <dt>Last started</dt><dd>${when(job.processingAt)}</dd>
    <dt>Completed</dt><dd>${when(job.completedAt)}</dd>
    <dt>Failed</dt><dd>${when(job.failedAt)}</dd>
    ${job.lockedBy && html`<dt>Held by</dt><dd>${job.lockedBy} until ${when(job.lockedUntil)}</dd>`}
    ${job.reprocessOf && html`<dt>Reprocess of</dt><dd><a href="/dashboard/jobs/${encodeURIComponent(job.reprocessOf)}">${job.reprocessOf}</a></dd>`}
    ${job.status === JobStatus.Dead && html`<dt>Dead letter</dt><dd><a href="/dashboard/dlq/${encodeURIComponent(job.jobId)}">DLQ entry</a></dd>`}
  </dl>
  ${actions(ctx, job)}
</section>
<div class="grid2">
<section class="card" aria-labelledby="data-h"><h2 id="data-h">Data</h2>${jsonBlock(job.data, 'job data')}</section>
<section class="card" aria-labelledby="options-h"><h2 id="options-h">Options</h2>${jsonBlock({ priority: job.priority, maxAttempts: job.maxAttempts, backoff: job.backoff, timeoutMs: job.timeoutMs, lifo: job.lifo }, 'job options')}</section>
<section class="card" aria-labelledby="progress-h"><h2 id="progress-h">Progress</h2>${jsonBlock(job.progress)}</section>
<section class="card" aria-labelledby="result-h"><h2 id="result-h">Result</h2>${jsonBlock(job.result)}</section>
</div>
<section class="card" aria-labelledby="errors-h"><h2 id="errors-h">Failed attempts</h2>${attemptErrors(job.errors)}</section>
<section class="card" aria-labelledby="history-h"><h2 id="history-h">Audit trail</h2>${historyTimeline(job.history)}</section>`;
}
