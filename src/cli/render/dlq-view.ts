import type { Colors } from 'picocolors/types';
import type { DlqDocument } from '../../storage/dlq-store';
import { formatDate, formatDuration, preview, truncate } from './format';
import { severityColour, statusColour } from './status-colour';
import { heading, renderFields, renderTable } from './table';

/** What `dlq stats` shows: the core's DLQ stats plus how many still wait for a review. */
export interface DlqStatsView {
  totalEntries: number;
  unreviewed: number;
  byJobType: Record<string, number>;
  byFailureReason: Record<string, number>;
  bySeverity: Record<string, number>;
  oldestEntry: Date | null;
}

export function renderDlqList(colors: Colors, entries: readonly DlqDocument[]): string {
  if (entries.length === 0) return colors.dim('No dead-letter entries match.');
  const rows = entries.map((entry) => [
    String(entry._id),
    entry.jobId,
    entry.type,
    severityColour(colors, entry.severity)(entry.severity),
    entry.failureReason,
    formatDate(entry.movedAt),
    entry.review ? `${entry.review.by}` : colors.yellow('no'),
    entry.reprocessCount,
  ]);
  return renderTable(colors, ['id', 'jobId', 'type', 'severity', 'reason', 'moved', 'reviewed', 'reprocessed'], rows);
}

export function renderDlqDetail(colors: Colors, entry: DlqDocument): string {
  const review = entry.review ? `${entry.review.by} at ${formatDate(entry.review.at)}${entry.review.note ? `: ${entry.review.note}` : ''}` : colors.yellow('not reviewed');
  return [
    heading(colors, `Dead-letter entry ${String(entry._id)}`),
    renderFields(colors, [
      ['jobId', entry.jobId],
      ['type', entry.type],
      ['severity', severityColour(colors, entry.severity)(entry.severity)],
      ['failure reason', `${entry.failureReason} (${entry.reasonText})`],
      ['priority', `${entry.priority} (${entry.band})`],
      ['attempts', `${entry.attempts}/${entry.maxAttempts}`],
      ['job created', formatDate(entry.jobCreatedAt)],
      ['moved', formatDate(entry.movedAt)],
      ['review', review],
      ['reprocessed', entry.reprocessCount],
      ['data', preview(entry.data, 200)],
    ]),
    '',
    heading(colors, `Errors (${entry.errors.length})`),
    entry.errors.length === 0
      ? colors.dim('none')
      : renderTable(
          colors,
          ['attempt', 'at', 'worker', 'code', 'message', 'took'],
          entry.errors.map((e) => [e.attempt, formatDate(e.at), e.workerId, e.code ?? e.name, truncate(e.message, 60), formatDuration(e.durationMs)]),
        ),
    '',
    heading(colors, `History (${entry.history.length})`),
    entry.history.length === 0
      ? colors.dim('none')
      : renderTable(
          colors,
          ['at', 'from', 'to', 'by', 'reason'],
          entry.history.map((h) => [formatDate(h.at), h.from ?? '-', statusColour(colors, h.to)(h.to), h.by, h.reason ?? '']),
        ),
    '',
    heading(colors, `Reprocess history (${entry.reprocessHistory.length})`),
    entry.reprocessHistory.length === 0
      ? colors.dim('none')
      : renderTable(
          colors,
          ['at', 'by', 'new jobId', 'corrections'],
          entry.reprocessHistory.map((r) => [formatDate(r.at), r.by, r.newJobId, preview(r.corrections, 60)]),
        ),
  ].join('\n');
}

export function renderDlqStats(colors: Colors, stats: DlqStatsView): string {
  const breakdown = (title: string, counts: Record<string, number>) => {
    const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    return rows.length === 0 ? '' : `\n${renderTable(colors, [title, 'entries'], rows)}`;
  };
  return [
    renderFields(colors, [
      ['entries', stats.totalEntries],
      ['unreviewed', stats.unreviewed],
      ['oldest', formatDate(stats.oldestEntry)],
    ]),
    breakdown('severity', stats.bySeverity),
    breakdown('failure reason', stats.byFailureReason),
    breakdown('job type', stats.byJobType),
  ]
    .filter(Boolean)
    .join('\n');
}
