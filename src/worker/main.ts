/**
 * `pnpm worker:queue`: one worker process configured from the environment (the variables of
 * src/config/environment.ts, including the compose/Kubernetes names WORKER_CONCURRENCY and
 * WORKER_BATCH_SIZE).
 * SIGTERM/SIGINT drain it gracefully and exit 0; a bad configuration exits 1 with one clear line.
 */
import { loadConfigOrExit } from '../config/load-config-or-exit';
import { createLogger } from '../logging/logger';
import { QueueFactory } from '../composition/queue-factory';
import { QueueError } from '../errors';
import { createHttpServer, type QueueHttpServer } from '../http/http-server';
import { installProcessGuards } from './process-guards';
import { QueueWorker } from './queue-worker';

async function main(): Promise<void> {
  const env = loadConfigOrExit();
  const logger = createLogger({ level: env.logLevel, name: 'queue-worker' });
  const manager = await QueueFactory.createWithConfig(env.queue, logger);
  const { worker: w } = env.queue;
  const worker = new QueueWorker(manager, logger, w.concurrency, Math.min(env.queue.batch.size, 50), w.pollInterval, env.workerId);

  let http: QueueHttpServer | undefined;
  let stopping = false;
  // Order: drain the worker (health and metrics stay up meanwhile), then HTTP, then connections.
  const shutdown = (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    void worker
      .stop()
      .then(() => http?.close())
      .then(() => manager.close())
      .then(() => process.exit(exitCode))
      .catch((error: Error) => {
        logger.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      });
  };
  installProcessGuards(logger, (reason) => shutdown(reason, 1));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  await worker.start();
  if (env.http.port > 0) {
    http = createHttpServer({ manager, worker, logger, adminTokens: env.http.adminTokens, healthCheck: env.http.healthCheck, metrics: env.http.metrics, snapshotMaxAgeMs: env.http.snapshotMaxAgeMs });
    try {
      await http.listen(env.http.port, env.http.host);
    } catch (error) {
      // A port in use must not leave a worker running without its probes: stop it cleanly and fail.
      logger.error({ err: (error as Error).message, port: env.http.port }, 'http server could not listen; set HTTP_PORT to a free port (or 0 to turn it off)');
      shutdown('http listen failed', 1);
    }
  }
}

main().catch((error: unknown) => {
  const message = error instanceof QueueError ? `${error.code}: ${error.message}` : (error as Error)?.stack ?? String(error);
  process.stderr.write(`worker failed to start: ${message}\n`);
  process.exit(1);
});
