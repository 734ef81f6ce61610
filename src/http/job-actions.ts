import { JobStatus } from '../domain/job-status';
import type { QueueManager } from '../manager/queue-manager';
import type { JobDocument } from '../storage/job-store';
import type { TransitionResult } from '../storage/transition-result';

/** Puts a job that just became pending into its Redis batch, so it starts without waiting for the loader. */
async function offerIfPending(manager: QueueManager, job: JobDocument): Promise<void> {
  if (job.status !== JobStatus.Pending) return;
  await manager.lifecycle.offer([{ jobId: job.jobId, priority: job.priority, band: job.band, orderKey: job.orderKey }]);
}

/** Moves a waiting job to `runAt` (now: it runs next) and offers it to the batches when it became ready. */
export async function rescheduleJob(manager: QueueManager, jobId: string, runAt: Date, actor: string): Promise<TransitionResult<JobDocument>> {
  const outcome = await manager.jobRepository.rescheduleJob(jobId, runAt, actor);
  if (outcome.ok) await offerIfPending(manager, outcome.value);
  return outcome;
}

export type RetryOutcome =
  | { action: 'reprocessed'; dlqEntryId: string; newJobId: string; reprocessCount: number }
  | { action: 'run_now'; job: JobDocument }
  | { action: 'not_found' }
  | { action: 'refused'; message: string }
  | { action: 'missed'; reason: string };

/**
 * Retry means: a dead job is reprocessed from its DLQ entry; a job waiting out its retry backoff
 * runs now. Anything else (running, finished, never tried) is refused.
 */
export async function retryJob(manager: QueueManager, jobId: string, actor: string, requestedAt: Date): Promise<RetryOutcome> {
  const job = await manager.jobRepository.findByJobId(jobId);
  if (!job) return { action: 'not_found' };
  if (job.status === JobStatus.Dead) {
    const entry = await manager.findDLQEntryByJobId(jobId);
    // The newest entry of a reused jobId may be an earlier job's: only this job's own counts.
    if (!entry || (entry.jobRef !== undefined && !entry.jobRef.equals(job._id))) {
      return { action: 'refused', message: `Job ${jobId} is dead but has no dead-letter entry yet (dlq.autoMove off, or the sweeper has not repaired it)` };
    }
    const result = await manager.reprocessDLQEntry(String(entry._id), actor, undefined, { requestedAt });
    return { action: 'reprocessed', dlqEntryId: String(entry._id), newJobId: result.newJobId, reprocessCount: result.entry.reprocessCount };
  }
  if (job.status === JobStatus.Scheduled && job.attempts > 0) {
    const moved = await rescheduleJob(manager, jobId, new Date(), actor);
    return moved.ok ? { action: 'run_now', job: moved.value } : { action: 'missed', reason: moved.reason };
  }
  return { action: 'refused', message: `Job ${jobId} is ${job.status} after ${job.attempts} attempt(s): only dead jobs and jobs waiting for a retry can be retried` };
}
