import type { FastifyInstance } from 'fastify';
import type { DashboardDeps } from '../dashboard-deps';
import { readOverview, readThroughput } from '../overview-data';
import { SharedRead } from '../shared-read';
import { redirectAfter, sendHtml, sendPage, sessionOf } from '../page';
import { overviewLive, overviewPage } from '../views/overview-view';

/** How long one overview read serves every viewer (the live panel polls every 2 s). */
const OVERVIEW_MAX_AGE_MS = 1_000;

export function registerOverviewRoutes(app: FastifyInstance, { manager }: DashboardDeps): void {
  const overview = new SharedRead(() => readOverview(manager), OVERVIEW_MAX_AGE_MS);
  const throughput = new SharedRead(() => readThroughput(manager), OVERVIEW_MAX_AGE_MS);

  app.get('/', async (request, reply) => {
    const data = await overview.get();
    const { notice } = request.query as { notice?: string };
    return sendPage(manager, request, reply, 'Overview', 'overview', (ctx) => overviewPage(ctx, data, notice));
  });

  app.get('/overview/live', async (_request, reply) => sendHtml(reply, overviewLive(await overview.get())));

  app.get('/overview/throughput', async (_request, reply) => reply.header('cache-control', 'no-store').send(await throughput.get()));

  app.post('/queue/pause', async (request, reply) => {
    await manager.pauseQueue(sessionOf(request).actor);
    overview.invalidate();
    return redirectAfter(reply, '/dashboard', 'paused');
  });

  app.post('/queue/resume', async (request, reply) => {
    await manager.resumeQueue(sessionOf(request).actor);
    overview.invalidate();
    return redirectAfter(reply, '/dashboard', 'resumed');
  });
}
