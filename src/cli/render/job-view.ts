import type { Colors } from 'picocolors/types';
import type { JobDocument } from '../../storage/job-store';
import { formatDate, formatDuration, preview, truncate } from './format';
import { statusColour } from './status-colour';
import { heading, renderFields, renderTable } from './table';

export function renderJobList(colors: Colors, jobs: readonly JobDocument[]): string {
  if (jobs.length === 0) return colors.dim('No jobs match.');
  const rows = jobs.map((job) => [
    job.jobId,
    job.type,
    statusColour(colors, job.status)(job.status),
    `${job.priority} ${job.band}`,
    `${job.attempts}/${job.maxAttempts}`,
    formatDate(job.createdAt),
    job.lastError ? truncate(job.lastError.message, 40) : '',
  ]);
  return renderTable(colors, ['jobId', 'type', 'status', 'priority', 'attempts', 'created', 'last error'], rows);
}

/** One job with its audit trail and every failed attempt. */
export function renderJobDetail(colors: Colors, job: JobDocument): string {
  const sections = [
    heading(colors, `Job ${job.jobId}`),
    renderFields(colors, [
      ['type', job.type],
      ['queue', job.queue],
      ['status', statusColour(colors, job.status)(job.status)],
      ['priority', `${job.priority} (${job.band})`],
      ['attempts', `${job.attempts}/${job.maxAttempts}`],
      ['run at', formatDate(job.runAt)],
      ['created', formatDate(job.createdAt)],
      ['completed', formatDate(job.completedAt)],
      ['failed', formatDate(job.failedAt)],
      ['locked by', job.lockedBy ?? '-'],
      ['reprocess of', job.reprocessOf ?? '-'],
      ['data', preview(job.data, 200)],
      ['result', job.result === undefined ? '-' : preview(job.result, 200)],
    ]),
    '',
    heading(colors, `History (${job.history.length})`),
    job.history.length === 0
      ? colors.dim('none')
      : renderTable(
          colors,
          ['at', 'from', 'to', 'by', 'reason'],
          job.history.map((h) => [formatDate(h.at), h.from ?? '-', statusColour(colors, h.to)(h.to), h.by, h.reason ?? '']),
        ),
    '',
    heading(colors, `Errors (${job.errors.length})`),
    job.errors.length === 0
      ? colors.dim('none')
      : renderTable(
          colors,
          ['attempt', 'at', 'worker', 'code', 'message', 'took'],
          job.errors.map((e) => [e.attempt, formatDate(e.at), e.workerId, e.code ?? e.name, truncate(e.message, 60), formatDuration(e.durationMs)]),
        ),
  ];
  if (job.lastError?.stack) sections.push('', colors.dim(job.lastError.stack));
  return sections.join('\n');
}
