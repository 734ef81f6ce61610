import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AdminRole } from '../config/environment';
import { QueueError } from '../errors';
import { isReadOnlyMethod } from '../http/admin-auth';
import { InvalidRequestInput, STATUS_BY_CODE } from '../http/admin-route-kit';
import type { DashboardDeps } from './dashboard-deps';
import { html } from './html';
import { sendPage } from './page';
import { registerAuthRoutes } from './routes/auth-routes';
import { registerDlqRoutes } from './routes/dlq-routes';
import { registerJobRoutes } from './routes/job-routes';
import { registerOverviewRoutes } from './routes/overview-routes';
import { registerQueueRoutes } from './routes/queue-routes';
import { readSession, sessionSecret } from './session';

export const DASHBOARD_PREFIX = '/dashboard';

/** What an operator is told about a failed request: input and typed errors say what was wrong, anything else goes to the log. */
function describeError(error: Error & { statusCode?: number; code?: string }): { status: number; message: string } {
  if (error instanceof InvalidRequestInput) return { status: 400, message: `Invalid input: ${error.problems.join('; ')}` };
  if (error instanceof QueueError) return { status: STATUS_BY_CODE[error.code] ?? 400, message: `${error.code}: ${error.message}` };
  if (error.code?.startsWith('FST_CSRF')) return { status: 403, message: 'The form was stale or did not come from this dashboard (missing or invalid CSRF token). Reload the page and try again.' };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return { status: error.statusCode, message: error.message };
  return { status: 500, message: 'Something went wrong; the worker log has the details.' };
}
const CSRF_COOKIE = 'queue_dashboard_csrf';

/** The dashboard's own CSS and script: next to this file in the source tree (and in the image). */
function assetsDir(): string {
  const beside = join(__dirname, 'assets');
  return existsSync(beside) ? beside : join(__dirname, '..', '..', '..', 'src', 'dashboard', 'assets');
}

/** Sign-in and the static files are the only pages served without a session. */
function isPublic(url: string): boolean {
  const path = url.split('?')[0];
  return path === `${DASHBOARD_PREFIX}/login` || path.startsWith(`${DASHBOARD_PREFIX}/assets/`);
}

async function refuseUnauthenticated(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const target = `${DASHBOARD_PREFIX}/login?${new URLSearchParams({ next: request.url }).toString()}`;
  // htmx follows HX-Redirect with a full page load, so a poll after expiry lands on sign-in.
  if (request.headers['hx-request']) await reply.code(401).header('hx-redirect', target).send();
  else if (isReadOnlyMethod(request.method)) await reply.redirect(target, 303);
  else await reply.code(401).type('text/plain').send('Sign in first.');
}

/**
 * The operator dashboard (mounted at /dashboard): signed session cookie after a token sign-in,
 * CSRF token on every POST, a strict CSP (scripts and styles from this server only), and pages
 * rendered from the manager's own reads and actions.
 */
export async function dashboardPlugin(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const { manager, tokens } = deps;
  const log = deps.logger.child({ component: 'dashboard' });
  await app.register(fastifyCookie, { secret: sessionSecret(tokens) });
  await app.register(fastifyFormbody, { bodyLimit: 1024 * 1024 });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // A page the operator opens from an internal link may name the dashboard; nothing else does.
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: DASHBOARD_PREFIX, httpOnly: true, sameSite: 'strict', secure: 'auto', signed: true },
  });
  const statics: Array<[string, string]> = [
    ['/assets/app/', assetsDir()],
    ['/assets/htmx/', dirname(require.resolve('htmx.org'))],
    ['/assets/uplot/', dirname(require.resolve('uplot'))],
  ];
  for (const [prefix, root] of statics) {
    await app.register(fastifyStatic, { root, prefix, decorateReply: false, index: false, list: false, maxAge: 3_600_000 });
  }

  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request.url)) return;
    const session = readSession(request, tokens);
    if (!session) return refuseUnauthenticated(request, reply);
    request.dashboardSession = session;
    if (!isReadOnlyMethod(request.method) && session.role !== AdminRole.Admin && request.url !== `${DASHBOARD_PREFIX}/logout`) {
      return sendPage(manager, request, reply, 'Not allowed', undefined, () => html`<p class="notice error" role="alert">Your token is read-only: it can look at everything and change nothing.</p>`, 403);
    }
  });
  // After the body is parsed: the form's _csrf field is read from it.
  app.addHook('preHandler', (request, reply, done) => {
    if (isReadOnlyMethod(request.method)) done();
    else app.csrfProtection(request, reply, done);
  });

  app.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const { status, message } = describeError(error);
    if (status === 500) log.error({ err: error.message, url: request.url }, 'dashboard page failed');
    return sendPage(manager, request, reply, status === 403 ? 'Refused' : 'Error', undefined, () => html`<p class="notice error" role="alert">${message}</p>`, status);
  });

  registerAuthRoutes(app, deps);
  registerOverviewRoutes(app, deps);
  registerJobRoutes(app, deps);
  registerDlqRoutes(app, deps);
  registerQueueRoutes(app, deps);
}

/** Mounts the dashboard on a server (the worker's, or the stand-alone one of `pnpm dashboard`). */
export function registerDashboard(app: FastifyInstance, deps: DashboardDeps): void {
  void app.register(dashboardPlugin, { prefix: DASHBOARD_PREFIX, ...deps });
}
