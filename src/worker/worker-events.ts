import { EventEmitter } from 'node:events';

/** What a worker reports as it runs jobs (metrics and logs subscribe to these). */
export interface WorkerEventMap {
  /** A handler returned and its result was recorded. */
  completed: [{ jobId: string; type: string; band: string; durationMs: number; attempt: number }];
  /** A handler failed: `outcome` says whether the job will retry or went to the DLQ. */
  failed: [{ jobId: string; type: string; band: string; durationMs: number; attempt: number; outcome: 'retry' | 'dead'; error: string }];
  /** A result was refused because the lease had been lost (fencing). */
  fenced: [{ jobId: string; type: string }];
  /** A running job's lease was extended by the heartbeat. */
  leaseExtended: [{ jobId: string }];
  /** A job taken but not started was handed back. */
  returned: [{ jobId: string; reason: string }];
}

export class WorkerEvents extends EventEmitter<WorkerEventMap> {}
