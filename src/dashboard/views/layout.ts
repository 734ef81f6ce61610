import { AdminRole } from '../../config/environment';
import type { DashboardSession } from '../session';
import { html, type HtmlValue, type SafeHtml } from '../html';

export type Section = 'overview' | 'jobs' | 'dlq' | 'queues';

export interface PageContext {
  session?: DashboardSession;
  /** The CSRF token every form of the page sends back. */
  csrfToken: string;
  queueName: string;
}

const SECTIONS: ReadonlyArray<[Section, string, string]> = [
  ['overview', 'Overview', '/dashboard'],
  ['jobs', 'Jobs', '/dashboard/jobs'],
  ['dlq', 'Dead letters', '/dashboard/dlq'],
  ['queues', 'Named queues', '/dashboard/queues'],
];

/** The hidden field @fastify/csrf-protection reads from a form body. */
export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

export function canChange(ctx: PageContext): boolean {
  return ctx.session?.role === AdminRole.Admin;
}

/** A form with one button that POSTs to `action` (admins only; a read-only operator sees nothing to press). */
export function actionButton(ctx: PageContext, action: string, label: string, fields: HtmlValue = null, style = ''): SafeHtml {
  if (!canChange(ctx)) return html``;
  return html`<form method="post" action="${action}" class="inline">${csrfField(ctx)}${fields}<button type="submit" class="${style}">${label}</button></form>`;
}

export function notice(text: string | undefined, kind: 'ok' | 'error' = 'ok'): SafeHtml {
  return text ? html`<p class="notice ${kind}" role="status">${text}</p>` : html``;
}

/** Every page: navigation, who is signed in, sign-out; scripts are files of this server only. */
export function layout(ctx: PageContext, title: string, section: Section | undefined, body: HtmlValue): SafeHtml {
  const session = ctx.session;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}'>
<link rel="icon" href="data:,">
<title>${title} · ${ctx.queueName} · queue dashboard</title>
<link rel="stylesheet" href="/dashboard/assets/uplot/uPlot.min.css">
<link rel="stylesheet" href="/dashboard/assets/app/dashboard.css">
<script src="/dashboard/assets/htmx/htmx.min.js" defer></script>
<script src="/dashboard/assets/uplot/uPlot.iife.min.js" defer></script>
<script src="/dashboard/assets/app/dashboard.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">Queue <strong>${ctx.queueName}</strong></span>
  ${session &&
  html`<nav aria-label="Sections"><ul>${SECTIONS.map(([id, label, href]) => html`<li><a href="${href}"${id === section ? html` aria-current="page"` : ''}>${label}</a></li>`)}</ul></nav>
  <span class="who">${session.actor} <span class="badge role-${session.role}">${session.role === AdminRole.Admin ? 'admin' : 'read-only'}</span></span>
  <form method="post" action="/dashboard/logout" class="inline">${csrfField(ctx)}<button type="submit" class="link">Sign out</button></form>`}
</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
