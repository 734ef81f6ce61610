import type { NamedQueueStats, RecurringJobDetails } from '../../queue-api/queue-api';
import { html, type SafeHtml } from '../html';
import { when } from './format';
import { actionButton, notice, type PageContext } from './layout';

export interface NamedQueueView {
  name: string;
  stats: NamedQueueStats | undefined;
  paused: boolean | undefined;
  recurring: RecurringJobDetails[];
}

const NOTICES: Readonly<Record<string, string>> = { paused: 'Queue paused in every process.', resumed: 'Queue resumed.' };

function pausedBadge(paused: boolean | undefined): SafeHtml {
  if (paused === undefined) return html`<span class="badge">unknown</span>`;
  return paused ? html`<span class="badge paused">paused</span>` : html`<span class="badge running">running</span>`;
}

const queuePath = (name: string) => `/dashboard/queues/${encodeURIComponent(name)}`;

export function queuesPage(queues: readonly NamedQueueView[]): SafeHtml {
  return html`<form method="get" action="/dashboard/queues/open" class="card search"><label>Open a queue by name<input name="name" required maxlength="200"></label><button type="submit">Open</button></form>
<p class="muted">Listed: the named queues this process has open. Any other queue opens by name.</p>
<div class="scroll"><table id="queue-list"><thead><tr><th scope="col">Queue</th><th scope="col">State</th><th scope="col">Pending</th><th scope="col">Processing</th><th scope="col">Completed</th><th scope="col">Failed</th><th scope="col">Groups</th><th scope="col">Recurring</th></tr></thead>
<tbody>${queues.length === 0 ? html`<tr><td colspan="8">No named queue is open in this process.</td></tr>` : queues.map(
    (q) => html`<tr><th scope="row"><a href="${queuePath(q.name)}">${q.name}</a></th><td>${pausedBadge(q.paused)}</td><td class="num">${q.stats?.pending ?? '?'}</td><td class="num">${q.stats?.processing ?? '?'}</td><td class="num">${q.stats?.completed ?? '?'}</td><td class="num">${q.stats?.failed ?? '?'}</td><td class="num">${q.stats?.consumerGroups ?? '?'}</td><td class="num">${q.recurring.length}</td></tr>`,
  )}</tbody></table></div>`;
}

export function queuePage(ctx: PageContext, q: NamedQueueView, noticeCode: string | undefined): SafeHtml {
  const path = queuePath(q.name);
  return html`${notice(noticeCode ? NOTICES[noticeCode] : undefined)}
<section class="card"><h2>State ${pausedBadge(q.paused)}</h2>
${q.paused ? actionButton(ctx, `${path}/resume`, 'Resume queue') : actionButton(ctx, `${path}/pause`, 'Pause queue', null, 'danger')}
${q.stats ? html`<p class="totals">Pending <strong>${q.stats.pending}</strong> · processing <strong>${q.stats.processing}</strong> · completed <strong>${q.stats.completed}</strong> · failed <strong>${q.stats.failed}</strong></p>` : html`<p class="notice error">Statistics could not be read.</p>`}
</section>
<section class="card"><h2>Consumer groups</h2>
${!q.stats?.groups || q.stats.groups.length === 0 ? html`<p>No consumer group yet.</p>` : html`<div class="scroll"><table id="group-list"><thead><tr><th scope="col">Group</th><th scope="col">Consumers</th><th scope="col">Pending</th><th scope="col">Processing</th><th scope="col">Completed</th><th scope="col">Failed</th></tr></thead>
<tbody>${q.stats.groups.map((g) => html`<tr><th scope="row">${g.name}</th><td class="num">${g.consumers}</td><td class="num">${g.pending}</td><td class="num">${g.processing}</td><td class="num">${g.completed}</td><td class="num">${g.failed}</td></tr>`)}</tbody></table></div>`}
</section>
<section class="card"><h2>Recurring schedules</h2>
${q.recurring.length === 0 ? html`<p>No recurring schedule.</p>` : html`<div class="scroll"><table id="recurring-list"><thead><tr><th scope="col">Id</th><th scope="col">Schedule</th><th scope="col">Next run</th><th scope="col">Last run</th><th scope="col">Runs</th><th scope="col">Data</th></tr></thead>
<tbody>${q.recurring.map((r) => html`<tr><th scope="row">${r.jobId}</th><td>${r.schedule.kind === 'cron' ? `cron ${r.schedule.expression}${r.schedule.timezone ? ` (${r.schedule.timezone})` : ''}` : `every ${r.schedule.intervalSeconds} s`}</td><td>${when(r.nextRunAt)}</td><td>${when(r.lastRunAt)}</td><td class="num">${r.runCount}</td><td><code>${JSON.stringify(r.data)}</code></td></tr>`)}</tbody></table></div>`}
</section>`;
}
