import { listWorkers } from '../cli/queries';
import type { WorkerView } from '../cli/render/workers-view';
import type { HealthReport } from '../manager/health-check';
import type { QueueManager } from '../manager/queue-manager';
import type { QueueStats } from '../manager/queue-stats';
import { readWithin } from '../metrics/bounded-read';

/** Each read of the overview gets this long; a slow component shows as unknown instead of stalling the page. */
const READ_DEADLINE_MS = 3_000;
const MINUTE_MS = 60_000;
const CHART_MINUTES = 60;

export interface OverviewData {
  stats: QueueStats | undefined;
  health: HealthReport | undefined;
  workers: WorkerView[] | undefined;
  paused: boolean | undefined;
}

/** The overview's reads, all through the manager (the same ones the admin API and CLI make). */
export async function readOverview(manager: QueueManager): Promise<OverviewData> {
  const [stats, health, workers, paused] = await Promise.all([
    readWithin(() => manager.getQueueStats(), READ_DEADLINE_MS),
    readWithin(() => manager.checkHealth(), READ_DEADLINE_MS),
    readWithin(() => listWorkers(manager), READ_DEADLINE_MS),
    readWithin(() => manager.isQueuePaused(), READ_DEADLINE_MS),
  ]);
  return { stats, health, workers, paused };
}

/** Completed and failed jobs per minute over the last hour, every minute present (uPlot's column layout). */
export interface ThroughputSeries {
  /** Minute starts, epoch seconds. */
  minutes: number[];
  completed: number[];
  failed: number[];
}

export async function readThroughput(manager: QueueManager, now = Date.now()): Promise<ThroughputSeries> {
  const last = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const first = last - (CHART_MINUTES - 1) * MINUTE_MS;
  const rows = await manager.jobRepository.finishedPerMinute(new Date(first));
  const byMinute = new Map(rows.map((row) => [row.minute, row]));
  const series: ThroughputSeries = { minutes: [], completed: [], failed: [] };
  for (let minute = first; minute <= last; minute += MINUTE_MS) {
    series.minutes.push(minute / 1000);
    series.completed.push(byMinute.get(minute)?.completed ?? 0);
    series.failed.push(byMinute.get(minute)?.failed ?? 0);
  }
  return series;
}
