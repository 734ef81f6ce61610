import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import { LeaseLostError } from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import { MaintenanceLoop } from '../../src/scheduler/maintenance-loop';
import { harnessWithPrivateMongo } from '../support/private-mongo-world';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

/** A handler that runs until its signal fires, and remembers why it fired. */
function registerWaitingJob(manager: QueueManager, seen: { started: number; reason?: unknown }): void {
  manager.registerJob(
    defineJob({
      type: 'waits_for_signal',
      schema: z.object({}).passthrough(),
      defaults: { maxAttempts: 3, timeoutMs: 60_000 },
      async handle(_data, context) {
        seen.started += 1;
        await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
        seen.reason = context.signal.reason;
        throw context.signal.reason;
      },
    }),
  );
}

describe('heartbeat', () => {
  const { harness, mongo } = harnessWithPrivateMongo('heartbeat');

  it('a lost lease (the job moved on to another worker) aborts the handler with LeaseLostError', async () => {
    const manager = await harness.manager({ name: 'lost', worker: { lockTimeout: 2_000, heartbeatInterval: 200 } });
    const seen: { started: number; reason?: unknown } = { started: 0 };
    registerWaitingJob(manager, seen);
    const { jobId } = await manager.addJob({ type: 'waits_for_signal', data: {} });
    const worker = await harness.worker(manager, 1);
    await waitFor(() => seen.started === 1, 'the handler to start');
    // This worker takes nothing more: once its handler is aborted, it must not win the job back.
    worker.pause();
    // The lease runs out (a stalled heartbeat elsewhere) and the sweeper hands the job to another worker.
    const { store } = queuePartsOf(manager);
    // A heartbeat landing between the two steps extends the lease again: repeat until the sweep takes it.
    const sweeper = new MaintenanceLoop(queuePartsOf(manager), harness.logger);
    await waitFor(async () => {
      await store.collection.updateOne({ jobId, status: JobStatus.Processing }, { $set: { lockedUntil: new Date(Date.now() - 1_000) } });
      if ((await sweeper.sweep()).stalled > 0) return true;
      // The worker's own maintenance may have swept it first.
      return (await manager.jobRepository.findByJobId(jobId))?.status !== JobStatus.Processing;
    }, 'the sweeper to recover the stalled job');
    // The recovered job reaches Redis with the next load (the loader lock may be busy): take until it comes.
    const taken = await waitFor(async () => (await manager.lifecycle.take('another-worker', 1))[0], 'another worker to take the job');
    expect(taken.doc.jobId).toBe(jobId);

    await waitFor(() => seen.reason, 'the first handler to be aborted');
    expect(seen.reason).toBeInstanceOf(LeaseLostError);
    expect((seen.reason as LeaseLostError).code).toBe('LEASE_LOST');
    // The aborted run's failure is fenced: the job stays with its new holder.
    const doc = await manager.jobRepository.findByJobId(jobId);
    expect(doc?.status).toBe(JobStatus.Processing);
    expect(doc?.lockedBy).toBe('another-worker');
  });

  it('MongoDB unreachable: the Redis job lock is still extended', async () => {
    const manager = await harness.manager({
      name: 'split',
      mongodb: { uri: mongo.uri, dbName: harness.dbName, serverSelectionTimeoutMs: 200 },
      worker: { lockTimeout: 2_000, heartbeatInterval: 200 },
    });
    const seen: { started: number; reason?: unknown } = { started: 0 };
    registerWaitingJob(manager, seen);
    const { jobId } = await manager.addJob({ type: 'waits_for_signal', data: {} });
    const worker = await harness.worker(manager, 1);
    await waitFor(() => seen.started === 1, 'the handler to start');
    const lockKey = manager.keys.jobLock(jobId);
    await waitFor(async () => (await queuePartsOf(manager).redis.pttl(lockKey)) > 0, 'the job lock to be held');

    await mongo.stop();
    // Past the lock's own TTL, with every lease extension failing: the lock must still be held, and refreshed.
    const until = Date.now() + 3_000;
    let lowest = Infinity;
    await waitFor(async () => {
      const ttl = await queuePartsOf(manager).redis.pttl(lockKey);
      lowest = Math.min(lowest, ttl);
      return Date.now() > until;
    }, 'three seconds of heartbeats without MongoDB', 10_000);
    expect(lowest).toBeGreaterThan(0);
    expect(seen.reason).toBeUndefined();
    await mongo.start();
    await worker.stop(500);
  });
});
