import { QueueError } from '../errors';

export class QueueStoppedError extends QueueError {
  constructor(readonly queue: string) {
    super('QUEUE_STOPPED', `Queue "${queue}" was stopped; get a new one with getQueue() to consume again`, { queue });
  }
}
