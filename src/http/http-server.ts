import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AdminToken } from '../config/environment';
import type { QueueManager } from '../manager/queue-manager';
import { QueueMetrics } from '../metrics/queue-metrics';
import { QueueSnapshot } from '../metrics/queue-snapshot';
import type { QueueWorker } from '../worker/queue-worker';
import { adminGuard } from './admin-auth';
import { registerAdminDlqRoutes } from './admin-dlq-routes';
import { registerAdminJobRoutes } from './admin-job-routes';
import { registerDashboard } from '../dashboard/dashboard-plugin';
import { registerHealthRoutes } from './health-routes';
import { registerWorkerDetailRoute } from './worker-detail-route';

/** Loopback unless told otherwise (HTTP_HOST): see the README's "Bind address". */
export const DEFAULT_HTTP_HOST = '127.0.0.1';

/** Worker events that prove its loop and its jobs are moving. */
const PROGRESS_EVENTS = ['completed', 'failed', 'leaseExtended', 'fenced', 'returned'] as const;

export interface HttpServerOptions {
  manager: QueueManager;
  worker?: QueueWorker;
  logger: Logger;
  adminTokens?: readonly AdminToken[];
  /** No progress for this long and /health/worker answers 503 (default: 6 poll intervals, 3 heartbeats or 3 MongoDB server-selection timeouts, at least 30 s). */
  livenessStallMs?: number;
  /** Serve /health/worker and /health/queue (HEALTH_CHECK_ENABLED). Default true. */
  healthCheck?: boolean;
  /** Serve /metrics (METRICS_ENABLED). Default true. */
  metrics?: boolean;
  /** Milliseconds a reading of health and queue figures serves /health/queue and /metrics before it is read again (HEALTH_SNAPSHOT_MS). Default 5000. */
  snapshotMaxAgeMs?: number;
  /** Serve the operator dashboard under /dashboard (needs admin tokens to sign in). Default true. */
  dashboard?: boolean;
}

export interface QueueHttpServer {
  readonly app: FastifyInstance;
  readonly metrics: QueueMetrics;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/** Health, metrics and (with admin tokens) the admin API and the dashboard of one worker process. */
export function createHttpServer(options: HttpServerOptions): QueueHttpServer {
  const { manager, worker } = options;
  const app = Fastify({ logger: false });
  const log = options.logger.child({ component: 'http' });
  const snapshot = new QueueSnapshot(manager, options.snapshotMaxAgeMs);
  const metrics = new QueueMetrics(snapshot);
  // Starts the stall window at creation: a worker gets one window to show its first progress.
  let lastEventAt = Date.now();
  const detach: Array<() => void> = [];
  if (worker) {
    detach.push(metrics.observe(worker));
    // Heartbeats and results show progress while every slot is busy with long jobs.
    const onProgress = () => (lastEventAt = Date.now());
    for (const event of PROGRESS_EVENTS) {
      worker.events.on(event, onProgress);
      detach.push(() => worker.events.off(event, onProgress));
    }
  }
  // A busy worker shows progress by its heartbeats, an idle one by its polls, one whose MongoDB is
  // gone by a failed claim every server-selection timeout: miss several of any (and at least 30 s,
  // so a GC pause or a slow claim never restarts a healthy pod).
  const { pollInterval, heartbeatInterval } = manager.config.worker;
  const stallMs = options.livenessStallMs ?? Math.max(30_000, pollInterval * 6, heartbeatInterval * 3, manager.config.mongodb.serverSelectionTimeoutMs * 3);
  if (options.healthCheck ?? true) {
    registerHealthRoutes(app, snapshot, worker, {
      stallMs,
      lastProgressAt: () => Math.max(lastEventAt, worker?.getStats().lastActivityAt?.getTime() ?? 0),
    });
  }
  if (options.metrics ?? true) app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.render()));

  const tokens = options.adminTokens ?? [];
  if (tokens.length > 0) {
    void app.register(async (admin) => {
      admin.addHook('onRequest', adminGuard(tokens));
      registerAdminJobRoutes(admin, manager);
      registerAdminDlqRoutes(admin, manager);
      registerWorkerDetailRoute(admin, worker);
    });
    if (options.dashboard ?? true) registerDashboard(app, { manager, worker, tokens, logger: options.logger });
  }
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'NOT_FOUND', message: `No route ${request.method} ${request.url}` }));
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    // Fastify's own 4xx (malformed JSON, empty JSON body, too large, unsupported type): the same
    // shape as a failed validation, so clients handle one kind of 400.
    if (error.statusCode === 400) return reply.code(400).send({ error: 'INVALID_INPUT', message: error.message, problems: [error.message] });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ error: 'INVALID_REQUEST', message: error.message });
    log.error({ err: error.message }, 'http handler failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'internal error; see the worker log' });
  });

  return {
    app,
    metrics,
    async listen(port: number, host = DEFAULT_HTTP_HOST) {
      const url = await app.listen({ port, host });
      log.info({ url, admin: tokens.length > 0 }, 'http server listening');
      return url;
    },
    async close() {
      for (const stop of detach.splice(0)) stop();
      await app.close();
    },
  };
}
