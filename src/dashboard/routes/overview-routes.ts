import type { FastifyInstance } from 'fastify';
import type { DashboardDeps } from '../dashboard-deps';
import { readOverview, readThroughput } from '../overview-data';
import { redirectAfter, sendHtml, sendPage, sessionOf } from '../page';
import { overviewLive, overviewPage } from '../views/overview-view';

export function registerOverviewRoutes(app: FastifyInstance, { manager }: DashboardDeps): void {
  app.get('/', async (request, reply) => {
    const data = await readOverview(manager);
    const { notice } = request.query as { notice?: string };
    return sendPage(manager, request, reply, 'Overview', 'overview', (ctx) => overviewPage(ctx, data, notice));
  });

  app.get('/overview/live', async (_request, reply) => sendHtml(reply, overviewLive(await readOverview(manager))));

  app.get('/overview/throughput', async (_request, reply) => reply.header('cache-control', 'no-store').send(await readThroughput(manager)));

  app.post('/queue/pause', async (request, reply) => {
    await manager.pauseQueue(sessionOf(request).actor);
    return redirectAfter(reply, '/dashboard', 'paused');
  });

  app.post('/queue/resume', async (request, reply) => {
    await manager.resumeQueue(sessionOf(request).actor);
    return redirectAfter(reply, '/dashboard', 'resumed');
  });
}
