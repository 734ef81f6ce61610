import { QueueError } from '../../errors';

/**
 * The shared class, so `instanceof QueueStoppedError` holds whether the caller reached the queue
 * through the manager's proxy or this backend directly.
 */
export { QueueStoppedError } from '../queue-errors';

/** enqueue() would put the queue over its maxQueueSize unfinished messages; nothing was stored. */
export class QueueFullError extends QueueError {
  constructor(readonly queue: string, readonly maxQueueSize: number) {
    super('QUEUE_FULL', `Queue "${queue}" already holds ${maxQueueSize} unfinished messages (maxQueueSize); let consumers catch up or raise the limit`, {
      queue,
      maxQueueSize,
    });
  }
}
