import { BANDS_IN_ORDER } from '../../domain/priority-band';
import { html, type SafeHtml } from '../html';
import type { OverviewData } from '../overview-data';
import { duration, when } from './format';
import { actionButton, notice, type PageContext } from './layout';

const NOTICES: Readonly<Record<string, string>> = { paused: 'Queue paused: workers stop taking jobs within a poll interval.', resumed: 'Queue resumed.' };

function healthBadge(state: string | undefined): SafeHtml {
  return html`<span class="badge health-${state ?? 'unknown'}">${state ?? 'unknown'}</span>`;
}

/** The part of the overview htmx refreshes every few seconds. */
export function overviewLive(data: OverviewData): SafeHtml {
  const { stats, health, workers, paused } = data;
  return html`<div id="live" hx-get="/dashboard/overview/live" hx-trigger="every 2s" hx-swap="outerHTML">
<section class="card" aria-labelledby="backlog-h">
  <h2 id="backlog-h">Backlog by band ${paused === undefined ? '' : paused ? html`<span class="badge paused" id="queue-state">paused</span>` : html`<span class="badge running" id="queue-state">running</span>`}</h2>
  ${stats
    ? html`<div class="scroll"><table id="bands">
    <thead><tr><th scope="col">Band</th><th scope="col">Ready</th><th scope="col">Scheduled</th><th scope="col">Processing</th><th scope="col">Oldest ready</th></tr></thead>
    <tbody>${BANDS_IN_ORDER.map((band) => {
      const counts = stats.byBand[band];
      return html`<tr data-band="${band}"><th scope="row">${band}</th><td class="num" data-col="ready">${counts.pending + counts.batched}</td><td class="num" data-col="scheduled">${counts.scheduled}</td><td class="num" data-col="processing">${counts.processing}</td><td class="num">${duration(stats.oldestReadyAgeMs[band])}</td></tr>`;
    })}</tbody>
  </table></div>
  <p class="totals">Completed <strong id="total-completed">${stats.completed}</strong> · failed (dead) <strong id="total-failed">${stats.dead}</strong> · cancelled <strong>${stats.cancelled}</strong> · all jobs <strong>${stats.total}</strong></p>`
    : html`<p class="notice error">Queue statistics could not be read in time.</p>`}
</section>
<section class="card" aria-labelledby="health-h">
  <h2 id="health-h">Health ${healthBadge(health?.overall)}</h2>
  ${health
    ? html`<dl class="facts">
    <dt>MongoDB</dt><dd>${healthBadge(health.mongodb.status === 'connected' ? 'healthy' : 'unhealthy')} ${health.mongodb.latency === null ? '' : `${health.mongodb.latency} ms`}</dd>
    <dt>Redis</dt><dd>${healthBadge(health.redis.status === 'connected' ? 'healthy' : 'degraded')} ${health.redis.latency === null ? '' : `${health.redis.latency} ms`}</dd>
    <dt>Batch cache</dt><dd>${healthBadge(health.cache.status === 'operational' ? 'healthy' : 'degraded')} hit rate ${Math.round(health.cache.hitRate * 100)}%</dd>
    <dt>Last ${health.performance.windowMinutes} min</dt><dd>${health.performance.throughputPerMinute.toFixed(1)}/min, success ${Math.round(health.performance.successRate * 100)}%</dd>
  </dl>${health.issues.length > 0 && html`<ul class="issues">${health.issues.map((issue) => html`<li>${issue}</li>`)}</ul>`}`
    : html`<p class="notice error">The health check did not answer in time.</p>`}
</section>
<section class="card" aria-labelledby="workers-h">
  <h2 id="workers-h">Workers (${workers?.length ?? '?'})</h2>
  ${workers === undefined
    ? html`<p class="notice error">Workers could not be read (Redis unreachable?).</p>`
    : workers.length === 0
      ? html`<p>No live worker (no heartbeat within the staleness window).</p>`
      : html`<div class="scroll"><table id="workers"><thead><tr><th scope="col">Worker</th><th scope="col">Busy</th><th scope="col">Processed</th><th scope="col">Failed</th><th scope="col">Last seen</th><th scope="col">Running</th></tr></thead>
    <tbody>${workers.map((w) => html`<tr><th scope="row">${w.workerId}</th><td class="num">${w.jobs.length}/${w.concurrency}</td><td class="num">${w.processedJobs}</td><td class="num">${w.failedJobs}</td><td>${when(w.lastSeenAt)}</td><td>${w.jobs.length === 0 ? 'idle' : w.jobs.map((job) => html`<a href="/dashboard/jobs/${encodeURIComponent(job.jobId)}">${job.type ?? '?'} ${job.jobId}</a> `)}</td></tr>`)}</tbody></table></div>`}
</section>
</div>`;
}

export function overviewPage(ctx: PageContext, data: OverviewData, noticeCode: string | undefined): SafeHtml {
  return html`${notice(noticeCode ? NOTICES[noticeCode] : undefined)}
<div class="controls">
  ${data.paused ? actionButton(ctx, '/dashboard/queue/resume', 'Resume queue') : actionButton(ctx, '/dashboard/queue/pause', 'Pause queue', null, 'danger')}
</div>
<section class="card" aria-labelledby="chart-h">
  <h2 id="chart-h">Completed and failed per minute, last hour</h2>
  <div id="throughput-chart" class="chart" data-src="/dashboard/overview/throughput" role="img" aria-label="Line chart of jobs completed and failed per minute over the last hour"></div>
  <p class="legend"><span class="key completed">completed</span> <span class="key failed">failed</span></p>
</section>
${overviewLive(data)}`;
}
