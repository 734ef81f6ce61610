import type { FastifyInstance } from 'fastify';
import type { DashboardDeps } from '../dashboard-deps';
import { html } from '../html';
import { sendPage } from '../page';

export function registerQueueRoutes(app: FastifyInstance, { manager }: DashboardDeps): void {
  app.get('/queues', async (request, reply) => sendPage(manager, request, reply, 'Named queues', 'queues', () => html`<p>Named queues are not shown yet.</p>`));
}
