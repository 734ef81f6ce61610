/**
 * `pnpm dashboard`: the operator dashboard on its own, for a host that runs no worker. Configured
 * like a worker (MONGO_URI, the Redis variables, QUEUE_NAME, HTTP_PORT, HTTP_HOST, ADMIN_TOKENS);
 * it serves /dashboard, the admin API and /health/queue, and takes no job.
 */
import { loadConfigOrExit } from '../config/load-config-or-exit';
import { QueueError } from '../errors';
import { createHttpServer } from '../http/http-server';
import { createLogger } from '../logging/logger';
import { QueueFactory } from '../composition/queue-factory';

async function main(): Promise<void> {
  const env = loadConfigOrExit();
  if (env.http.adminTokens.length === 0) {
    process.stderr.write('ADMIN_TOKENS is not set: the dashboard signs operators in with these tokens, e.g. ADMIN_TOKENS=alice:<16+ characters>,viewer:<16+ characters>:read\n');
    process.exit(1);
  }
  const logger = createLogger({ level: env.logLevel, name: 'queue-dashboard' });
  const manager = await QueueFactory.createWithConfig(env.queue, logger);
  const http = createHttpServer({ manager, logger, adminTokens: env.http.adminTokens, healthCheck: env.http.healthCheck, metrics: false });
  const url = await http.listen(env.http.port, env.http.host);
  logger.info({ url: `${url}/dashboard` }, 'dashboard listening');
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void http
      .close()
      .then(() => manager.close())
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  const message = error instanceof QueueError ? `${error.code}: ${error.message}` : (error as Error)?.stack ?? String(error);
  process.stderr.write(`dashboard failed to start: ${message}\n`);
  process.exit(1);
});
