import { QueueError } from '../errors';

export class QueueStoppedError extends QueueError {
  constructor(readonly queue: string) {
    super('QUEUE_STOPPED', `Queue "${queue}" was stopped; get a new one with getQueue() to consume again`, { queue });
  }
}

/**
 * The active backend implements the documented Queue interface only, and the call needs a
 * feature beyond it (pause, metrics, cron schedules, LIFO...). Nothing was changed.
 */
export class QueueCapabilityError extends QueueError {
  constructor(
    readonly queue: string,
    readonly pluginId: string,
    readonly capability: string,
  ) {
    super(
      'QUEUE_CAPABILITY_MISSING',
      `Queue "${queue}": the "${pluginId}" backend does not support ${capability}; use a backend that does (engine, memory) or leave it out`,
      { queue, pluginId, capability },
    );
  }
}

/** testConnection(): the backend's stores did not answer (or answered with an error). */
export class QueueConnectionError extends QueueError {
  constructor(
    readonly queue: string,
    readonly pluginId: string,
    reason: string,
    override readonly cause?: unknown,
  ) {
    super('QUEUE_CONNECTION_FAILED', `Queue "${queue}" (backend "${pluginId}"): its stores do not answer: ${reason}; check the servers it uses and its config`, {
      queue,
      pluginId,
      reason,
    });
  }
}
