import type { Colors } from 'picocolors/types';
import { ALL_JOB_STATUSES } from '../../domain/job-status';
import { BANDS_IN_ORDER } from '../../domain/priority-band';
import type { QueueStats } from '../../manager/queue-stats';
import { formatDuration } from './format';
import { heading, renderFields, renderTable } from './table';

/** Counts by band and status, the oldest ready job per band, and the Redis batch state. */
export function renderQueueStats(colors: Colors, stats: QueueStats): string {
  const rows = BANDS_IN_ORDER.map((band) => [
    band,
    ...ALL_JOB_STATUSES.map((status) => stats.byBand[band][status]),
    formatDuration(stats.oldestReadyAgeMs[band]),
  ]);
  rows.push([colors.bold('total'), ...ALL_JOB_STATUSES.map((status) => colors.bold(String(stats[status]))), '']);
  const cached = stats.batchInfo.cachedByBand;
  return [
    heading(colors, `Queue ${stats.queue}: ${stats.total} jobs`),
    renderTable(colors, ['band', ...ALL_JOB_STATUSES, 'oldest ready'], rows),
    renderFields(colors, [
      ['in Redis batches', stats.batchInfo.currentBatch ?? colors.yellow('Redis unreachable')],
      ['by band', cached ? BANDS_IN_ORDER.map((band) => `${band} ${cached[band]}`).join(', ') : '-'],
    ]),
  ].join('\n');
}
