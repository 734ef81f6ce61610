import { ALL_JOB_STATUSES } from '../../domain/job-status';
import { BANDS_IN_ORDER } from '../../domain/priority-band';
import type { ListedJob } from '../../storage/job-reads';
import { html, type SafeHtml } from '../html';
import { queryString, statusBadge, when } from './format';
import { notice } from './layout';

/** The search form's fields as given (strings; empty means "any"). */
export type JobSearchForm = Partial<Record<'jobId' | 'type' | 'status' | 'band' | 'minPriority' | 'maxPriority' | 'createdFrom' | 'createdTo', string>>;

function select(name: string, label: string, options: readonly string[], value: string | undefined): SafeHtml {
  return html`<label>${label}<select name="${name}"><option value="">any</option>${options.map((o) => html`<option${o === value ? html` selected` : ''}>${o}</option>`)}</select></label>`;
}

function input(name: keyof JobSearchForm, label: string, form: JobSearchForm, type = 'text'): SafeHtml {
  return html`<label>${label}<input name="${name}" type="${type}" value="${form[name] ?? ''}"></label>`;
}

export function jobsPage(form: JobSearchForm, jobs: readonly ListedJob[], nextCursor: string | null, problems: readonly string[]): SafeHtml {
  return html`<form method="get" action="/dashboard/jobs" class="card search" role="search">
  ${input('jobId', 'Job id', form)}
  ${input('type', 'Type', form)}
  ${select('status', 'Status', ALL_JOB_STATUSES, form.status)}
  ${select('band', 'Band', BANDS_IN_ORDER, form.band)}
  ${input('minPriority', 'Priority from', form, 'number')}
  ${input('maxPriority', 'to', form, 'number')}
  ${input('createdFrom', 'Created from (UTC date)', form, 'date')}
  ${input('createdTo', 'Created before (UTC date)', form, 'date')}
  <button type="submit">Search</button>
</form>
${problems.length > 0 && notice(`Search not run: ${problems.join('; ')}`, 'error')}
<div class="scroll"><table id="job-list">
<thead><tr><th scope="col">Job</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Band</th><th scope="col">Priority</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead>
<tbody>${jobs.length === 0 ? html`<tr><td colspan="7">No job matches.</td></tr>` : jobs.map(
    (job) => html`<tr><th scope="row"><a href="/dashboard/jobs/${encodeURIComponent(job.jobId)}">${job.jobId}</a></th><td>${job.type}</td><td>${statusBadge(job.status)}</td><td>${job.band}</td><td class="num">${job.priority}</td><td class="num">${job.attempts}/${job.maxAttempts}</td><td>${when(job.createdAt)}</td></tr>`,
  )}</tbody></table></div>
${nextCursor && html`<p class="pager"><a href="/dashboard/jobs${queryString({ ...form, jobId: undefined, cursor: nextCursor })}" rel="next">Next page →</a></p>`}`;
}
