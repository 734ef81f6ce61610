import { JobQueue } from '../../src/job-queue';
import type { JobQueueOptions } from '../../src/job-queue';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';

/** Time scale of these tests: 1 s of queue time (delays, backoff, intervals) is 50 ms. */
export const SCALE = 0.05;

/** A harness whose managers run named queues fast, and JobQueues that are shut down after each test. */
export class JobQueueWorld {
  readonly harness: QueueHarness;
  private readonly queues: Array<JobQueue<unknown>> = [];

  constructor(prefix: string) {
    this.harness = new QueueHarness(prefix);
  }

  start(): Promise<QueueHarness> {
    return this.harness.start();
  }

  /** A new manager: in these tests, another process of the same deployment (its own connections). */
  manager(): Promise<QueueManager> {
    return this.harness.manager({ delayMultiplier: SCALE });
  }

  async queue<T>(options: Omit<JobQueueOptions, 'manager'> & { manager?: QueueManager }): Promise<JobQueue<T>> {
    const queue = new JobQueue<T>({ logger: this.harness.logger, ...options, manager: options.manager ?? (await this.manager()) });
    this.queues.push(queue as JobQueue<unknown>);
    return queue;
  }

  async closeQueues(): Promise<void> {
    await Promise.all(this.queues.splice(0).map((q) => q.shutdown()));
  }

  stop(): Promise<void> {
    return this.harness.stop();
  }
}
