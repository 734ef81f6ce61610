import type { FastifyReply, FastifyRequest } from 'fastify';
import type { QueueManager } from '../manager/queue-manager';
import type { HtmlValue, SafeHtml } from './html';
import type { DashboardSession } from './session';
import { layout, type PageContext, type Section } from './views/layout';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the dashboard's sign-in check on every page but the public ones. */
    dashboardSession?: DashboardSession;
  }
}

export function pageContext(manager: QueueManager, request: FastifyRequest, reply: FastifyReply): PageContext {
  return { session: request.dashboardSession, csrfToken: reply.generateCsrf(), queueName: manager.config.name };
}

/** The signed-in operator; the sign-in hook guarantees one on every non-public route. */
export function sessionOf(request: FastifyRequest): DashboardSession {
  const session = request.dashboardSession;
  if (!session) throw new Error('dashboard route reached without a session');
  return session;
}

export function sendHtml(reply: FastifyReply, body: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body.text);
}

export function sendPage(manager: QueueManager, request: FastifyRequest, reply: FastifyReply, title: string, section: Section | undefined, body: (ctx: PageContext) => HtmlValue, status = 200): FastifyReply {
  const ctx = pageContext(manager, request, reply);
  return sendHtml(reply, layout(ctx, title, section, body(ctx)), status);
}

/** After a change: back to a page (303, so a reload does not repeat the POST) with a notice code. */
export function redirectAfter(reply: FastifyReply, path: string, notice: string, extra: Record<string, string> = {}): FastifyReply {
  const params = new URLSearchParams({ notice, ...extra });
  return reply.redirect(`${path}?${params.toString()}`, 303);
}
