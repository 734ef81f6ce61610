import { PriorityOutOfRangeError, QueueError } from '../errors';

/** A JobQueue priority outside 1–100 (code PRIORITY_OUT_OF_RANGE, as for addJob). */
export class JobPriorityOutOfRangeError extends PriorityOutOfRangeError {
  constructor(priority: number, min: number, max: number) {
    super(priority, min, max);
    this.message = `JobQueue priority ${priority} is not allowed: use an integer from ${min} (most urgent) to ${max} (least urgent), or leave it out to run ahead of every prioritised job`;
  }
}

/** A JobQueue used out of order: started twice, or used after shutdown(). */
export class JobQueueStateError extends QueueError {
  constructor(readonly queue: string, message: string) {
    super('INVALID_STATE', `JobQueue "${queue}": ${message}`, { queue });
  }
}
