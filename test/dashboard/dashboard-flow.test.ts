import type { Page } from 'playwright-core';
import { waitFor } from '../support/wait-for';
import { ADMIN_TOKEN, screenshots, signIn, startDashboardWorld, type DashboardWorld } from './dashboard-world';

/** Text of the NORMAL band's cell `col` (ready, scheduled, processing) on the live overview. */
async function normalBand(page: Page, col: string): Promise<number> {
  return Number(await page.textContent(`#bands tr[data-band="NORMAL"] td[data-col="${col}"]`));
}

describe('dashboard in chromium: an operator follows jobs from the overview to the DLQ and back', () => {
  let world: DashboardWorld;
  let page: Page;
  beforeAll(async () => {
    world = await startDashboardWorld('dash_flow');
    page = await world.newPage();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('signs in and sees the overview follow jobs as they are added (queue paused) and processed (resumed)', async () => {
    await signIn(page, ADMIN_TOKEN);
    expect(await page.textContent('header .who')).toContain('alice');
    await page.click('text=Pause queue');
    await page.waitForSelector('#queue-state.paused');
    expect(await world.manager.isQueuePaused()).toBe(true);

    await world.manager.addJobs([1, 2, 3].map((value) => ({ type: 'test_job', data: { label: `ok-${value}`, value }, priority: 7 })));
    // htmx refreshes the live panel every 2 s: the three jobs show up as ready, none runs.
    await waitFor(async () => (await normalBand(page, 'ready')) === 3, 'the overview to show 3 ready jobs');
    expect(await normalBand(page, 'processing')).toBe(0);
    const completedBefore = Number(await page.textContent('#total-completed'));

    await page.click('text=Resume queue');
    await page.waitForSelector('#queue-state.running');
    await waitFor(async () => Number(await page.textContent('#total-completed')) >= completedBefore + 3, 'the overview to show 3 more completed jobs');
    expect(await normalBand(page, 'ready')).toBe(0);
    // The chart drew the completions of the last hour from its JSON feed.
    await waitFor(async () => Number(await page.getAttribute('#throughput-chart', 'data-completed')) >= 3, 'the chart to count the completions', 15_000, 200);
    expect(await page.locator('#throughput-chart canvas').count()).toBe(1);
    await screenshots(page, 'overview');
  });

  it('finds a failed job, reads its audit trail, and shows job data holding <script> as text', async () => {
    const label = '<script>window.__injected = true</script><img src=x onerror="window.__injected=true">';
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label, permanent: true }, priority: 12 });
    await waitFor(async () => (await world.manager.findDLQEntryByJobId(jobId)) !== null, 'the DLQ entry');

    await page.goto('/dashboard/jobs');
    await page.selectOption('select[name=status]', 'dead');
    await Promise.all([page.waitForURL(/status=dead/), page.click('form.search button')]);
    await Promise.all([page.waitForURL(/\/dashboard\/jobs\/[^?]+$/), page.click(`#job-list a:text("${jobId}")`)]);
    await screenshots(page, 'job');

    const trail = await page.locator('#audit-trail li').allTextContents();
    expect(trail.length).toBeGreaterThanOrEqual(3);
    expect(trail.at(-1)).toMatch(/processing\s*→\s*dead\s*by/);
    expect(trail[0]).toMatch(/new\s*→\s*pending/);
    expect(await page.textContent('#attempt-errors')).toContain('permanent failure of');
    // The data is shown as the characters it holds, and nothing in it ran.
    expect(await page.textContent('pre[aria-label="job data"]')).toContain('<script>window.__injected = true</script>');
    expect(await page.evaluate('window.__injected')).toBeUndefined();
    expect(await page.locator('main script, main img').count()).toBe(0);
  });

  it('reprocesses the DLQ entry with a correction after seeing the diff, and the new job completes', async () => {
    await page.click('text=DLQ entry');
    await page.waitForSelector('#reprocess-form');
    await screenshots(page, 'dlq-entry');

    // A correction the type's schema refuses is caught before anything is written.
    await page.fill('#corrections', '{"failTimes": "many"}');
    await page.click('text=Check and show the diff');
    await page.waitForSelector('.notice.error');
    expect(await page.textContent('.notice.error')).toMatch(/failTimes/);

    await page.fill('#corrections', '{"permanent": false, "label": "fixed"}');
    await page.click('text=Check and show the diff');
    await page.waitForSelector('#data-diff');
    const diff = await page.locator('#data-diff tbody tr').allTextContents();
    expect(diff.find((row) => row.startsWith('permanent'))).toMatch(/permanent\s*true\s*false/);
    expect(diff.find((row) => row.startsWith('label'))).toContain('fixed');
    await screenshots(page, 'dlq-reprocess-diff');

    await Promise.all([page.waitForURL(/notice=reprocessed/), page.click('#confirm-reprocess')]);
    const newJobId = (await page.textContent('#job-id')) ?? '';
    expect(newJobId).not.toBe('');
    const job = await world.manager.jobRepository.findByJobId(newJobId);
    expect(job?.data).toMatchObject({ permanent: false, label: 'fixed' });
    await waitFor(async () => (await world.manager.jobRepository.findByJobId(newJobId))?.status === 'completed', 'the reprocessed job to complete');
    await page.reload();
    expect(await page.textContent('#summary-h')).toContain('completed');
    // Whoever reprocessed is named in the entry's reprocess history.
    const entry = await world.manager.dlqRepository.list({ type: 'test_job' });
    expect(entry[0].reprocessHistory.at(-1)).toMatchObject({ by: 'alice', newJobId });
  });

  it('lists the DLQ with its stats, and a bulk dry run changes nothing', async () => {
    await world.manager.addJob({ type: 'test_job', data: { label: 'bulk-a', permanent: true }, priority: 3 });
    await waitFor(async () => (await world.manager.getDLQStats()).totalEntries >= 2, 'a second DLQ entry');
    await page.goto('/dashboard/dlq');
    // The stats card loads after the list (htmx).
    await page.waitForSelector('#dlq-total');
    expect(Number(await page.textContent('#dlq-total'))).toBeGreaterThanOrEqual(2);
    expect(await page.textContent('#by-severity')).toMatch(/high\s*1/);
    expect(await page.locator('#dlq-list tbody tr').count()).toBeGreaterThanOrEqual(2);
    await screenshots(page, 'dlq');
    await page.fill('textarea[name=corrections]', '{"permanent": false}');
    await page.click('text=Dry run: show what would happen');
    await page.waitForSelector('#plan-summary');
    expect(await page.textContent('#plan-summary')).toMatch(/would be reprocessed/);
    // The entry reprocessed already is still allowed (limit 3); nothing was written by the dry run.
    const before = await world.manager.dlqRepository.list({});
    expect(before.every((e) => e.reprocessCount <= 1)).toBe(true);
    await Promise.all([page.waitForSelector('#bulk-summary'), page.click('button[value=run]')]);
    expect(await page.textContent('#bulk-summary')).toMatch(/\d+ reprocessed/);
  });

  it('shows a named queue with its consumer group and recurring schedule, and pauses and resumes it', async () => {
    const queue = world.manager.getQueue<{ to: string }>('emails');
    const handled: string[] = [];
    await queue.consume(async (job) => {
      handled.push(job.data.to);
    }, { consumerGroup: 'senders' });
    await queue.scheduleRecurring('digest', { to: 'team@example.com' }, 3600);
    await queue.enqueue({ to: 'a@example.com' });
    await waitFor(() => handled.includes('a@example.com'), 'the first message to be handled');

    await page.goto('/dashboard/queues');
    await Promise.all([page.waitForURL(/\/dashboard\/queues\/emails$/), page.click('#queue-list a:text("emails")')]);
    expect(await page.textContent('#group-list')).toContain('senders');
    expect(await page.textContent('#recurring-list')).toMatch(/digest\s*every 3600 s/);
    await screenshots(page, 'named-queue');

    await Promise.all([page.waitForURL(/notice=paused/), page.click('text=Pause queue')]);
    expect(await queue.isPaused()).toBe(true);
    await Promise.all([page.waitForURL(/notice=resumed/), page.click('text=Resume queue')]);
    expect(await queue.isPaused()).toBe(false);
    await queue.enqueue({ to: 'b@example.com' });
    await waitFor(() => handled.includes('b@example.com'), 'a message after the resume to be handled');
  });
});
