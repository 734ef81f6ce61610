/**
 * `pnpm mongo:embedded`: runs the embedded MongoDB-compatible server on its own.
 * The first line of standard output is its URI; logs go to standard error.
 * EMBEDDED_MONGO_PORT (default: a free port), EMBEDDED_MONGO_DATA_DIR (default: memory only).
 * SIGTERM/SIGINT stop it (writing its data when a data folder is set) and exit 0.
 */
import pino from 'pino';
import { EmbeddedMongoServer } from '../embedded-mongo/src/server';

async function main(): Promise<void> {
  const logger = pino({ name: 'embedded-mongo', level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  const port = process.env.EMBEDDED_MONGO_PORT ? Number(process.env.EMBEDDED_MONGO_PORT) : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`EMBEDDED_MONGO_PORT must be a port number (0–65535), got "${process.env.EMBEDDED_MONGO_PORT}"\n`);
    process.exit(1);
  }
  const server = new EmbeddedMongoServer();
  await server.start({ port, dataDir: process.env.EMBEDDED_MONGO_DATA_DIR || undefined, logger });
  process.stdout.write(`${server.uri}\n`);
  logger.info({ port: server.port }, 'embedded MongoDB serving until SIGTERM/SIGINT');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.stop().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error({ err: error.message }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`embedded MongoDB failed to start: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
