import type { Page } from 'playwright-core';
import { ADMIN_TOKEN, screenshots, signIn, startDashboardWorld, VIEWER_TOKEN, type DashboardWorld } from './dashboard-world';

/** The cookies a signed-in browser page holds, as a Cookie header for requests made outside it. */
async function cookieHeader(page: Page): Promise<string> {
  return (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** The CSRF token the page's forms carry. */
async function csrfToken(page: Page): Promise<string> {
  return (await page.getAttribute('input[name=_csrf]', 'value')) ?? '';
}

describe('dashboard security: sign-in, session cookie, CSRF, roles, CSP', () => {
  let world: DashboardWorld;
  beforeAll(async () => {
    world = await startDashboardWorld('dash_security');
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('redirects every page to sign-in without a session, refuses a bad token, and signs out', async () => {
    for (const path of ['/dashboard', '/dashboard/jobs', '/dashboard/jobs/x', '/dashboard/dlq', '/dashboard/dlq/x', '/dashboard/queues', '/dashboard/overview/live']) {
      const response = await fetch(`${world.baseUrl}${path}`, { redirect: 'manual' });
      expect([path, response.status]).toEqual([path, 303]);
      expect(response.headers.get('location')).toBe(`/dashboard/login?next=${encodeURIComponent(path)}`);
    }
    const post = await fetch(`${world.baseUrl}/dashboard/queue/pause`, { method: 'POST', redirect: 'manual' });
    expect(post.status).toBe(401);
    // A forged cookie is no session.
    const forged = await fetch(`${world.baseUrl}/dashboard`, { redirect: 'manual', headers: { cookie: 'queue_dashboard_session=eyJhY3RvciI6ImFsaWNlIiwiZXhwaXJlc0F0Ijo5OTk5OTk5OTk5OTk5fQ' } });
    expect(forged.status).toBe(303);

    const page = await world.newPage();
    await page.goto('/dashboard/dlq');
    expect(page.url()).toContain('/dashboard/login?next=%2Fdashboard%2Fdlq');
    await screenshots(page, 'sign-in');
    await page.fill('#token', 'not-a-valid-token-0123456789');
    await page.click('button[type=submit]');
    await page.waitForSelector('.notice.error');
    expect(await page.textContent('.notice.error')).toContain('not valid');
    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(/\/dashboard\/dlq$/), page.click('button[type=submit]')]);

    const session = (await page.context().cookies()).find((c) => c.name === 'queue_dashboard_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
    expect(session?.value).not.toContain(ADMIN_TOKEN);

    await Promise.all([page.waitForURL(/\/dashboard\/login$/), page.click('text=Sign out')]);
    await page.goto('/dashboard');
    expect(page.url()).toContain('/dashboard/login');

    // After sign-in the dashboard goes back only to its own pages, never to another site.
    for (const next of ['https://evil.example/x', '//evil.example/x', '/dashboard/../admin']) {
      await page.goto(`/dashboard/login?next=${encodeURIComponent(next)}`);
      await page.fill('#token', ADMIN_TOKEN);
      await Promise.all([page.waitForURL(`${world.baseUrl}/dashboard`), page.click('button[type=submit]')]);
      await page.click('text=Sign out');
    }
  }, 60_000);

  it('refuses a POST without the CSRF token, or with another session\'s, and changes nothing', async () => {
    const page = await world.newPage();
    await signIn(page, ADMIN_TOKEN);
    const cookie = await cookieHeader(page);
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie };
    const missing = await fetch(`${world.baseUrl}/dashboard/queue/pause`, { method: 'POST', redirect: 'manual', headers: form, body: '' });
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('CSRF');
    const wrong = await fetch(`${world.baseUrl}/dashboard/queue/pause`, { method: 'POST', redirect: 'manual', headers: form, body: '_csrf=forged-token' });
    expect(wrong.status).toBe(403);
    expect(await world.manager.isQueuePaused()).toBe(false);

    // The same request with the page's token goes through: the refusal was the token's doing.
    const valid = await fetch(`${world.baseUrl}/dashboard/queue/pause`, { method: 'POST', redirect: 'manual', headers: form, body: `_csrf=${encodeURIComponent(await csrfToken(page))}` });
    expect(valid.status).toBe(303);
    expect(await world.manager.isQueuePaused()).toBe(true);
    await world.manager.resumeQueue('test');
  });

  it('lets a read-only token see every page but change nothing, even with a valid CSRF token', async () => {
    const { jobId } = await world.manager.addJob({ type: 'test_job', data: { label: 'viewer-sees' }, delay: 60_000 });
    const page = await world.newPage();
    await signIn(page, VIEWER_TOKEN);
    expect(await page.textContent('header .who')).toContain('read-only');
    expect(await page.locator('text=Pause queue').count()).toBe(0);
    await page.goto(`/dashboard/jobs/${jobId}`);
    expect(await page.textContent('main')).toContain('Read-only: actions are hidden.');
    expect(await page.locator('text=Cancel job').count()).toBe(0);

    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie: await cookieHeader(page) };
    const body = `_csrf=${encodeURIComponent(await csrfToken(page))}`;
    for (const path of ['/dashboard/queue/pause', `/dashboard/jobs/${jobId}/cancel`, `/dashboard/jobs/${jobId}/run-now`, '/dashboard/dlq/bulk']) {
      const response = await fetch(`${world.baseUrl}${path}`, { method: 'POST', redirect: 'manual', headers, body });
      expect([path, response.status]).toEqual([path, 403]);
    }
    expect(await world.manager.isQueuePaused()).toBe(false);
    expect((await world.manager.jobRepository.findByJobId(jobId))?.status).toBe('scheduled');
  });

  it('serves pages under a strict CSP with no inline script, and every script from this server', async () => {
    const page = await world.newPage();
    await signIn(page, ADMIN_TOKEN);
    const response = await page.goto('/dashboard');
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const scripts = await page.locator('script').evaluateAll((nodes) => nodes.map((n) => ({ src: n.getAttribute('src'), inline: (n.textContent ?? '').trim().length > 0 })));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      expect(script.inline).toBe(false);
      expect(script.src).toMatch(/^\/dashboard\/assets\//);
    }
    // The assets come from node_modules through this server, not from the internet.
    for (const asset of ['/dashboard/assets/htmx/htmx.min.js', '/dashboard/assets/uplot/uPlot.iife.min.js', '/dashboard/assets/app/dashboard.js']) {
      expect((await fetch(`${world.baseUrl}${asset}`)).status).toBe(200);
    }
    // No page of the flow reported a CSP violation or a script error.
    await page.waitForSelector('#throughput-chart canvas');
    expect(world.pageErrors).toEqual([]);
  });
});
