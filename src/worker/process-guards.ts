import type { Logger } from 'pino';

/** The job an error escaped from, when the code that threw attached it (`jobId` on the error). */
function jobIdOf(error: unknown): string | undefined {
  const jobId = (error as { jobId?: unknown } | null)?.jobId;
  return typeof jobId === 'string' ? jobId : undefined;
}

function describe(error: unknown): Record<string, unknown> {
  const err = error instanceof Error ? error : new Error(String(error));
  return { err: err.message, name: err.name, stack: err.stack, jobId: jobIdOf(error) };
}

/**
 * Last-resort handlers of a worker process. A rejected promise nobody handled is a bug, not a
 * broken process: it is logged (with the job id when known) and the worker carries on, since
 * every job write is guarded and a lost write only costs a lease expiry. An uncaught exception
 * leaves the process in an unknown state: it is logged and `fatal` drains and exits non-zero.
 * Returns a function that removes the handlers.
 */
export function installProcessGuards(logger: Logger, fatal: (reason: string) => void): () => void {
  const onRejection = (reason: unknown) => {
    logger.error(describe(reason), 'unhandled promise rejection (survived)');
  };
  const onException = (error: unknown) => {
    logger.fatal(describe(error), 'uncaught exception: shutting down');
    fatal('uncaught exception');
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
