import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findToken } from '../../http/admin-auth';
import { html } from '../html';
import { sendPage } from '../page';
import { endSession, startSession } from '../session';
import type { DashboardDeps } from '../dashboard-deps';
import { csrfField, notice, type PageContext } from '../views/layout';

const signInBody = z.object({ token: z.string().max(500).default(''), next: z.string().max(2000).optional(), _csrf: z.string().optional() });

/** Only a path of this dashboard: never another host, nor a `..` out of /dashboard (no open redirect). */
function safeNext(next: string | undefined): string {
  const ok = next !== undefined && /^\/dashboard(\/[A-Za-z0-9/_.%?&=:-]*)?$/.test(next) && !/(^|\/)\.\.?(\/|$|\?)|%2e/i.test(next);
  return ok ? next : '/dashboard';
}

export function registerAuthRoutes(app: FastifyInstance, { manager, tokens }: DashboardDeps): void {
  const signInPage = (next: string, failed: boolean) => (ctx: PageContext) => html`
<form method="post" action="/dashboard/login" class="card sign-in">
  ${notice(failed ? 'That token is not valid.' : undefined, 'error')}
  ${csrfField(ctx)}
  <input type="hidden" name="next" value="${next}">
  <label for="token">Admin token (from ADMIN_TOKENS)</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>`;

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as { next?: string }).next);
    return sendPage(manager, request, reply, 'Sign in', undefined, signInPage(next, false));
  });

  app.post('/login', async (request, reply) => {
    const body = signInBody.safeParse(request.body ?? {});
    const next = safeNext(body.success ? body.data.next : undefined);
    const token = body.success ? findToken(tokens, body.data.token) : undefined;
    if (!token) return sendPage(manager, request, reply, 'Sign in', undefined, signInPage(next, true), 401);
    startSession(reply, token);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (_request, reply) => {
    endSession(reply);
    return reply.redirect('/dashboard/login', 303);
  });
}
