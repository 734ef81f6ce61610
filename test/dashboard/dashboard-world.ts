import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AdminToken } from '../../src/config/environment';
import { createHttpServer, type QueueHttpServer } from '../../src/http/http-server';
import type { QueueManager } from '../../src/manager/queue-manager';
import type { QueueWorker } from '../../src/worker/queue-worker';
import { QueueHarness } from '../support/queue-harness';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * Screenshots of every page go to test-results/screenshots (not tracked); SCREENSHOTS_DIR=docs/screenshots
 * refreshes the ones the README shows.
 */
export const SCREENSHOTS = process.env.SCREENSHOTS_DIR ?? join(__dirname, '..', '..', 'test-results', 'screenshots');

export const ADMIN_TOKEN = 'alice-dashboard-token-0123456789';
export const VIEWER_TOKEN = 'viewer-dashboard-token-0123456789';
export const TOKENS: AdminToken[] = [
  { name: 'alice', token: ADMIN_TOKEN, role: 'admin' },
  { name: 'viewer', token: VIEWER_TOKEN, role: 'read' },
];

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** One test file's queue, worker, HTTP server (listening, for the browser) and chromium. */
export interface DashboardWorld {
  harness: QueueHarness;
  manager: QueueManager;
  worker: QueueWorker;
  server: QueueHttpServer;
  baseUrl: string;
  browser: Browser;
  /** Every script error and CSP violation the pages reported. */
  pageErrors: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  stop(): Promise<void>;
}

export async function startDashboardWorld(prefix: string): Promise<DashboardWorld> {
  const harness = new QueueHarness(prefix);
  await harness.start();
  const manager = await harness.manager();
  const worker = await harness.worker(manager, 2);
  const server = createHttpServer({ manager, worker, logger: harness.logger, adminTokens: TOKENS });
  const baseUrl = (await server.listen(0, '127.0.0.1')).replace('0.0.0.0', '127.0.0.1');
  const browser = await chromium.launch({ executablePath: CHROMIUM });
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  return {
    harness,
    manager,
    worker,
    server,
    baseUrl,
    browser,
    pageErrors,
    async newPage(viewport = DESKTOP) {
      const context = await browser.newContext({ viewport, baseURL: baseUrl });
      contexts.push(context);
      const page = await context.newPage();
      page.on('console', (message) => {
        // HTTP errors the tests cause on purpose (a refused sign-in) are not script errors.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return page;
    },
    async stop() {
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      await browser.close();
      await server.close();
      await harness.stop();
    },
  };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto('/dashboard/login');
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(/\/dashboard\/?$/), page.click('button[type=submit]')]);
}

/** Saves `name`.png (1280 px wide) and `name`-phone.png (390 px) of the page as it is, full height. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const viewport = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(viewport);
}
