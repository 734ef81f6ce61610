import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InvalidRequestInput, parseInput } from '../../http/admin-route-kit';
import { dlqIdParams, dlqListQuery, reprocessBody } from '../../http/admin-schemas';
import { findDlqEntry } from '../../http/dlq-entry-lookup';
import { planReprocess, runReprocessPlan } from '../../http/dlq-reprocess-plan';
import { splitCorrections } from '../../manager/dlq-service';
import type { DlqEntry } from '../../storage/dlq-repository';
import type { DashboardDeps } from '../dashboard-deps';
import { html } from '../html';
import { redirectAfter, sendHtml, sendPage, sessionOf } from '../page';
import { SharedRead } from '../shared-read';
import { dataDiff } from '../views/data-diff';
import { dlqEntryPage, reprocessPreviewPage } from '../views/dlq-entry-view';
import { bulkPlanPage, bulkResultPage, dlqListPage, dlqStatsPanel, type DlqFilterForm, type DlqStatsView } from '../views/dlq-view';

const PAGE_SIZE = 50;
/** The stats aggregate every entry: one read serves every viewer for this long, and loads after the list. */
const STATS_MAX_AGE_MS = 5_000;
const HOUR_MS = 3_600_000;
const AGE_EDGES_MS = [HOUR_MS, 24 * HOUR_MS, 7 * 24 * HOUR_MS];
const AGE_LABELS = ['under 1 hour', '1 hour to 1 day', '1 to 7 days', 'older'];
/** Bulk reprocess pace: new jobs reach the queue no faster than this. */
export const BULK_REPROCESS_PER_SECOND = 20;
const BULK_MAX = 500;

const FILTER_FIELDS = ['severity', 'type', 'reason', 'reviewed'] as const;
const correctionsForm = z.object({ corrections: z.string().max(100_000).default('{}'), _csrf: z.string().optional() });
const reviewForm = z.object({ note: z.string().max(2000).optional(), _csrf: z.string().optional() });
const bulkForm = z.object({
  mode: z.enum(['dry-run', 'run']),
  limit: z.coerce.number().int().min(1).max(BULK_MAX),
  corrections: z.string().max(100_000).default('{}'),
  severity: z.string().optional(),
  type: z.string().optional(),
  reason: z.string().optional(),
  reviewed: z.string().optional(),
  _csrf: z.string().optional(),
});

/** The filter fields as the admin API's DLQ list takes them: empty ones left out. */
function filterOf(raw: Readonly<Record<string, unknown>>): DlqFilterForm {
  const form: DlqFilterForm = {};
  for (const field of FILTER_FIELDS) {
    const value = raw[field];
    if (typeof value === 'string' && value !== '') form[field] = value;
  }
  return form;
}

/** Corrections typed as JSON: an object whose field names pass the admin API's check. */
function parseCorrections(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() || '{}');
  } catch (error) {
    throw new InvalidRequestInput([`corrections: not valid JSON (${(error as Error).message})`]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequestInput(['corrections: must be a JSON object']);
  const { corrections } = parseInput(reprocessBody, { corrections: value });
  return corrections && Object.keys(corrections).length > 0 ? corrections : undefined;
}

export function registerDlqRoutes(app: FastifyInstance, { manager }: DashboardDeps): void {
  const maxReprocess = manager.config.dlq.maxReprocessAttempts;
  const stats = new SharedRead(async (): Promise<DlqStatsView> => {
    const [totals, ages] = await Promise.all([manager.getDLQStats(), manager.dlqRepository.countByAge(AGE_EDGES_MS)]);
    return { ...totals, byAge: ages.map((count, i) => ({ label: AGE_LABELS[i], count })) };
  }, STATS_MAX_AGE_MS);

  async function entryOr404(request: FastifyRequest, reply: FastifyReply): Promise<DlqEntry | undefined> {
    const { id } = parseInput(dlqIdParams, request.params);
    const entry = await findDlqEntry(manager, id);
    if (!entry) await sendPage(manager, request, reply, 'Entry not found', 'dlq', () => html`<p class="notice error">No dead-letter entry with id or job id <code>${id}</code>.</p>`, 404);
    return entry ?? undefined;
  }

  app.get('/dlq', async (request, reply) => {
    const raw = request.query as Record<string, string | undefined>;
    const form = filterOf(raw);
    const skip = Math.max(0, Number.parseInt(raw.skip ?? '0', 10) || 0);
    try {
      const q = parseInput(dlqListQuery, { ...form, limit: String(PAGE_SIZE), skip: String(skip) });
      const entries = await manager.dlqRepository.list({ severity: q.severity, type: q.type, failureReason: q.reason, reviewed: q.reviewed, limit: q.limit, skip: q.skip });
      return sendPage(manager, request, reply, 'Dead-letter queue', 'dlq', (ctx) => dlqListPage(ctx, form, entries, skip, PAGE_SIZE, []));
    } catch (error) {
      if (!(error instanceof InvalidRequestInput)) throw error;
      return sendPage(manager, request, reply, 'Dead-letter queue', 'dlq', (ctx) => dlqListPage(ctx, form, [], 0, PAGE_SIZE, error.problems), 400);
    }
  });

  app.get('/dlq/stats', async (_request, reply) => sendHtml(reply, dlqStatsPanel(await stats.get())));

  app.post('/dlq/bulk', async (request, reply) => {
    const requestedAt = new Date();
    const body = parseInput(bulkForm, request.body);
    const form = filterOf(body);
    const q = parseInput(dlqListQuery, { ...form, limit: String(body.limit) });
    const corrections = parseCorrections(body.corrections);
    const entries = await manager.dlqRepository.list({ severity: q.severity, type: q.type, failureReason: q.reason, reviewed: q.reviewed, limit: q.limit });
    const plan = planReprocess(manager, entries, corrections);
    if (body.mode === 'dry-run') {
      return sendPage(manager, request, reply, 'Bulk reprocess: dry run', 'dlq', (ctx) => bulkPlanPage(ctx, form, body.limit, body.corrections, plan, BULK_REPROCESS_PER_SECOND));
    }
    const results = await runReprocessPlan(manager, plan, sessionOf(request).actor, corrections, { requestedAt, perSecond: BULK_REPROCESS_PER_SECOND });
    stats.invalidate();
    return sendPage(manager, request, reply, 'Bulk reprocess: done', 'dlq', () => bulkResultPage(form, results));
  });

  app.get('/dlq/:id', async (request, reply) => {
    const entry = await entryOr404(request, reply);
    if (!entry) return reply;
    const { notice } = request.query as { notice?: string };
    return sendPage(manager, request, reply, `Dead letter ${entry.jobId}`, 'dlq', (ctx) => dlqEntryPage(ctx, entry, maxReprocess, { notice }));
  });

  app.post('/dlq/:id/review', async (request, reply) => {
    const entry = await entryOr404(request, reply);
    if (!entry) return reply;
    const { note } = parseInput(reviewForm, request.body);
    await manager.markDLQAsReviewed(entry.id, sessionOf(request).actor, note?.trim() || undefined);
    stats.invalidate();
    return redirectAfter(reply, `/dashboard/dlq/${entry.id}`, 'reviewed');
  });

  // Checks the corrections exactly as the reprocess will (the type's zod schema, the options'
  // rules, the reprocess limit) and shows the diff; nothing is written until the confirm.
  app.post('/dlq/:id/preview', async (request, reply) => {
    const entry = await entryOr404(request, reply);
    if (!entry) return reply;
    const { corrections: text } = parseInput(correctionsForm, request.body);
    const again = (error: string) =>
      sendPage(manager, request, reply, `Dead letter ${entry.jobId}`, 'dlq', (ctx) => dlqEntryPage(ctx, entry, maxReprocess, { error, correctionsText: text }), 400);
    let corrections: Record<string, unknown> | undefined;
    try {
      corrections = parseCorrections(text);
    } catch (error) {
      if (!(error instanceof InvalidRequestInput)) throw error;
      return again(error.problems.join('; '));
    }
    const [item] = planReprocess(manager, [entry], corrections);
    if (item.action === 'skip') return again(`Cannot reprocess: ${item.why}`);
    const options = splitCorrections(manager.registry.get(entry.type).schema, corrections).options;
    return sendPage(manager, request, reply, `Reprocess ${entry.jobId}?`, 'dlq', (ctx) => reprocessPreviewPage(ctx, entry, dataDiff(item.dataBefore, item.dataAfter), options, text, item.newJobId));
  });

  app.post('/dlq/:id/reprocess', async (request, reply) => {
    const requestedAt = new Date();
    const entry = await entryOr404(request, reply);
    if (!entry) return reply;
    const { corrections: text } = parseInput(correctionsForm, request.body);
    const result = await manager.reprocessDLQEntry(entry.id, sessionOf(request).actor, parseCorrections(text), { requestedAt });
    stats.invalidate();
    return redirectAfter(reply, `/dashboard/jobs/${encodeURIComponent(result.newJobId)}`, 'reprocessed');
  });
}
