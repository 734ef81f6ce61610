import type { Colors } from 'picocolors/types';
import { BANDS_IN_ORDER, type PriorityBand } from '../../domain/priority-band';
import type { QueueStats } from '../../manager/queue-stats';
import { renderBar } from './bar';
import type { DlqStatsView } from './dlq-view';
import { formatDate, formatDuration, formatRate, truncate } from './format';
import type { WorkerView } from './workers-view';

/** Everything one monitor frame shows, fetched at `at`. */
export interface MonitorSnapshot {
  at: Date;
  stats: QueueStats;
  dlq: DlqStatsView;
  workers: WorkerView[];
}

/** Changes between two snapshots; null on the first frame, which has nothing to compare with. */
export interface MonitorRates {
  completedPerSecond: number | null;
  /** Jobs that ended dead since the previous frame. */
  newFailures: number | null;
}

export function computeRates(current: MonitorSnapshot, previous: MonitorSnapshot | undefined): MonitorRates {
  if (!previous) return { completedPerSecond: null, newFailures: null };
  const seconds = (current.at.getTime() - previous.at.getTime()) / 1000;
  // Counts can drop (retention cleanup, another test dropping data): never show negative throughput.
  const completed = Math.max(0, current.stats.completed - previous.stats.completed);
  return {
    completedPerSecond: seconds > 0 ? completed / seconds : null,
    newFailures: Math.max(0, current.stats.failed - previous.stats.failed),
  };
}

export interface FrameLayout {
  /** Terminal columns; the bars take what the labels leave. */
  width: number;
  /** Shown in the title line; off for `--once` and non-interactive output. */
  showQuitHint: boolean;
}

const BAND_LABEL_WIDTH = 9;
const COUNT_WIDTH = 7;
const AGE_WIDTH = 14;

/** One full frame of `queue monitor` as text: pure, so it can be tested with fixed data. */
export function renderMonitorFrame(colors: Colors, snapshot: MonitorSnapshot, rates: MonitorRates, layout: FrameLayout): string {
  const { stats, dlq, workers } = snapshot;
  const width = Math.max(40, layout.width);
  const redisState = stats.batchInfo.currentBatch === null ? colors.yellow('Redis unreachable (degraded)') : colors.green('Redis ok');
  const title = `${colors.bold(`queue ${stats.queue}`)}  ${formatDate(snapshot.at)}  ${redisState}`;
  const lines = [layout.showQuitHint ? `${title}  ${colors.dim('(q to quit)')}` : title, ''];

  const backlog = (band: PriorityBand) => stats.byBand[band].pending + stats.byBand[band].batched;
  const maxBacklog = Math.max(...BANDS_IN_ORDER.map(backlog));
  const barWidth = Math.min(60, Math.max(10, width - BAND_LABEL_WIDTH - COUNT_WIDTH - AGE_WIDTH - 4));
  lines.push(colors.bold(`${'Backlog'.padEnd(BAND_LABEL_WIDTH + barWidth + COUNT_WIDTH + 2)}oldest ready`));
  for (const band of BANDS_IN_ORDER) {
    const count = backlog(band);
    const bar = renderBar(count, maxBacklog, barWidth);
    const age = stats.oldestReadyAgeMs[band];
    lines.push(`${band.padEnd(BAND_LABEL_WIDTH)}${colourBar(colors, band, bar)} ${String(count).padStart(COUNT_WIDTH)}  ${formatDuration(age)}`);
  }
  lines.push(
    colors.dim(
      `scheduled ${stats.scheduled} · processing ${stats.processing} · completed ${stats.completed} · dead ${stats.dead} · cancelled ${stats.cancelled}`,
    ),
    '',
  );

  const failures = rates.newFailures === null ? '' : ` (${rates.newFailures > 0 ? colors.red(`+${rates.newFailures}`) : '+0'} since last refresh)`;
  lines.push(`${colors.bold('Throughput')}  ${formatRate(rates.completedPerSecond)} completed`);
  lines.push(`${colors.bold('Failures')}    ${stats.failed > 0 ? colors.red(String(stats.failed)) : '0'} dead${failures}`);
  const severities = Object.entries(dlq.bySeverity)
    .map(([severity, n]) => `${severity} ${n}`)
    .join(' · ');
  const unreviewed = dlq.unreviewed > 0 ? colors.yellow(`${dlq.unreviewed} unreviewed`) : '0 unreviewed';
  lines.push(`${colors.bold('DLQ')}         ${dlq.totalEntries} entries, ${unreviewed}${severities ? ` · ${severities}` : ''}`, '');

  lines.push(colors.bold(`Workers (${workers.length})`));
  if (workers.length === 0) lines.push(colors.dim('  none alive'));
  for (const worker of workers) {
    const jobs = worker.jobs.length === 0 ? 'idle' : worker.jobs.map((job) => `${job.jobId} (${job.type ?? '?'})`).join(', ');
    // Truncated before any colouring: escape codes would throw the width count off.
    lines.push(truncate(`  ${worker.workerId}  ${worker.jobs.length}/${worker.concurrency}  done ${worker.processedJobs}  failed ${worker.failedJobs}  ${jobs}`, width));
  }
  return lines.join('\n');
}

function colourBar(colors: Colors, band: PriorityBand, bar: string): string {
  switch (band) {
    case 'CRITICAL':
      return colors.red(bar);
    case 'HIGH':
      return colors.yellow(bar);
    case 'NORMAL':
      return colors.green(bar);
    default:
      return colors.blue(bar);
  }
}
