import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { JobStatus } from '../domain/job-status';
import { deliveryQueueName, messageIdOf } from '../queues/engine/delivery';
import type { NamedQueue } from '../queue-api/queue-api';
import type { JobDocument, JobStore } from '../storage/job-store';

/** The job store's operations the relay uses. */
export type DeadJobMarks = Pick<JobStore, 'findDeadUnmarked' | 'markDeadWith'>;

/** What the dead-letter queue receives for each job whose attempts are spent. */
export interface DeadLetterMessage<T = unknown> {
  /** The id enqueue returned for the failed job. */
  jobId: string;
  /** The last error's message (or why the job died when no handler error was recorded, e.g. a lost worker). */
  failedReason: string;
  data: T;
  attemptsMade: number;
  /** ISO 8601. */
  failedAt: string;
  /** The JobQueue the job failed in. */
  queue: string;
}

/** Set on a dead job once its message is in the dead-letter queue. */
const FORWARDED_MARK = 'deadLetterForwardedAt';
/** Dead jobs forwarded per pass. */
const PASS_LIMIT = 100;
/** Longest message id the named queues accept. */
const MAX_MESSAGE_ID = 200;

/**
 * The dead-letter message's id: the same for every attempt to forward one job, so the named
 * queue's jobId deduplication keeps it to one message however often the forward is retried.
 */
export function deadLetterMessageId(queue: string, jobId: string): string {
  const id = `${queue}:${jobId}`;
  return id.length <= MAX_MESSAGE_ID ? id : `${queue}:sha256:${createHash('sha256').update(jobId).digest('hex')}`;
}

/**
 * Forwards dead jobs of one JobQueue to its dead-letter queue. The engine records a job's death
 * in MongoDB first (the job turns `dead`, in the same write as its last error), whether a handler
 * threw on the last attempt or a worker died holding it; this relay reads that record, so a crash
 * anywhere between the failure and the forward only delays the forward to the next pass of any
 * process running the queue. Each pass enqueues with a deterministic message id, then marks the
 * job: a crash between the two repeats an enqueue that the id turns into a no-op.
 */
export class DeadLetterRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private readonly logger: Logger;
  private readonly deliveryQueue: string;

  constructor(
    private readonly jobs: DeadJobMarks,
    private readonly queueName: string,
    private readonly consumerGroup: string,
    private readonly target: NamedQueue<DeadLetterMessage>,
    logger: Logger,
  ) {
    this.deliveryQueue = deliveryQueueName(queueName, consumerGroup);
    this.logger = logger.child({ component: 'dead-letter-relay', queue: queueName, deadLetterQueue: target.name });
  }

  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pass(), intervalMs);
    this.timer.unref();
    void this.pass();
  }

  /** Stops the passes and waits for the one under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass (skipped while another runs); returns how many jobs it forwarded. Errors are logged, the next pass retries. */
  pass(): Promise<number> {
    this.running ??= this.forwardDue()
      .catch((error: Error) => {
        this.logger.warn({ err: error.message }, 'dead-letter forward failed; the next pass retries');
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async forwardDue(): Promise<number> {
    const jobs = this.jobs;
    // The claim index's (queue, status) prefix narrows this to the queue's dead jobs.
    const dead = await jobs.findDeadUnmarked(this.deliveryQueue, FORWARDED_MARK, PASS_LIMIT);
    for (const doc of dead) {
      const message = this.messageFor(doc);
      await this.target.enqueue(message, { jobId: deadLetterMessageId(this.queueName, message.jobId) });
      await jobs.markDeadWith(doc._id, FORWARDED_MARK, new Date());
      this.logger.info({ jobId: message.jobId, attemptsMade: message.attemptsMade }, 'job forwarded to the dead-letter queue');
    }
    return dead.length;
  }

  private messageFor(doc: JobDocument): DeadLetterMessage {
    const death = [...doc.history].reverse().find((h) => h.to === JobStatus.Dead);
    // A job the sweeper dead-lettered (its worker died) has no error of that attempt: say why it died.
    const failedReason = death?.by === 'sweeper' || !doc.lastError ? death?.reason ?? 'failed' : doc.lastError.message;
    return {
      jobId: messageIdOf(this.queueName, this.consumerGroup, doc.jobId),
      failedReason,
      data: doc.data,
      attemptsMade: doc.attempts,
      failedAt: (doc.failedAt ?? doc.updatedAt).toISOString(),
      queue: this.queueName,
    };
  }
}
