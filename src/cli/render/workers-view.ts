import type { Colors } from 'picocolors/types';
import type { WorkerPresence } from '../../manager/worker-registry';
import { formatDate, formatDuration } from './format';
import { renderTable } from './table';

/** A job a worker is running, as far as MongoDB knows it (type and start time). */
export interface RunningJobView {
  jobId: string;
  type: string | null;
  status: string | null;
  processingAt: Date | null;
}

export interface WorkerView extends WorkerPresence {
  jobs: RunningJobView[];
}

export function renderWorkers(colors: Colors, workers: readonly WorkerView[], now = Date.now()): string {
  if (workers.length === 0) return colors.dim('No live workers (no heartbeat within the staleness window).');
  const rows = workers.map((worker) => [
    worker.workerId,
    [worker.hostname, worker.pid].filter((part) => part !== undefined).join(':') || '-',
    `${worker.jobs.length}/${worker.concurrency}`,
    worker.processedJobs,
    worker.failedJobs,
    formatDuration(worker.uptime),
    formatDate(worker.lastSeenAt),
    worker.jobs.length === 0 ? colors.dim('idle') : worker.jobs.map((job) => describeRunningJob(job, now)).join('\n'),
  ]);
  return renderTable(colors, ['worker', 'host:pid', 'busy', 'processed', 'failed', 'uptime', 'last seen', 'current jobs'], rows);
}

function describeRunningJob(job: RunningJobView, now: number): string {
  const since = job.processingAt ? ` for ${formatDuration(now - job.processingAt.getTime())}` : '';
  return `${job.jobId} (${job.type ?? 'unknown'})${since}`;
}
