import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../http/admin-route-kit';
import type { QueueManager } from '../../manager/queue-manager';
import { readWithin } from '../../metrics/bounded-read';
import { queueNameSchema } from '../../queues/enqueue-options';
import type { DashboardDeps } from '../dashboard-deps';
import { redirectAfter, sendPage, sessionOf } from '../page';
import { queuePage, queuesPage, type NamedQueueView } from '../views/queues-view';

const READ_DEADLINE_MS = 3_000;
const nameParams = z.object({ name: queueNameSchema }).strict();

/** One named queue through its documented API: stats with groups, pause state, recurring schedules. */
async function readQueue(manager: QueueManager, name: string): Promise<NamedQueueView> {
  const queue = manager.getQueue(name);
  const [stats, paused, recurring] = await Promise.all([
    readWithin(() => queue.getStats(), READ_DEADLINE_MS),
    readWithin(() => queue.isPaused(), READ_DEADLINE_MS),
    readWithin(async () => {
      const ids = await queue.listRecurringJobs();
      const details = await Promise.all(ids.map((id) => queue.getRecurringJobDetails(id)));
      return details.filter((d) => d !== undefined);
    }, READ_DEADLINE_MS),
  ]);
  return { name, stats, paused, recurring: recurring ?? [] };
}

export function registerQueueRoutes(app: FastifyInstance, { manager, logger }: DashboardDeps): void {
  // The named-queue API takes no actor: the log records who paused or resumed.
  const log = logger.child({ component: 'dashboard' });
  const path = (name: string) => `/dashboard/queues/${encodeURIComponent(name)}`;

  app.get('/queues', async (request, reply) => {
    const queues = await Promise.all(manager.getNamedQueueNames().map((name) => readQueue(manager, name)));
    return sendPage(manager, request, reply, 'Named queues', 'queues', () => queuesPage(queues));
  });

  app.get('/queues/open', async (request, reply) => {
    const { name } = parseInput(z.object({ name: queueNameSchema }), request.query);
    return reply.redirect(path(name), 303);
  });

  app.get('/queues/:name', async (request, reply) => {
    const { name } = parseInput(nameParams, request.params);
    const view = await readQueue(manager, name);
    const { notice } = request.query as { notice?: string };
    return sendPage(manager, request, reply, `Queue ${name}`, 'queues', (ctx) => queuePage(ctx, view, notice));
  });

  app.post('/queues/:name/pause', async (request, reply) => {
    const { name } = parseInput(nameParams, request.params);
    await manager.getQueue(name).pause();
    log.info({ queue: name, by: sessionOf(request).actor }, 'named queue paused');
    return redirectAfter(reply, path(name), 'paused');
  });

  app.post('/queues/:name/resume', async (request, reply) => {
    const { name } = parseInput(nameParams, request.params);
    await manager.getQueue(name).resume();
    log.info({ queue: name, by: sessionOf(request).actor }, 'named queue resumed');
    return redirectAfter(reply, path(name), 'resumed');
  });
}
