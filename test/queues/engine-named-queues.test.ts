/**
 * What the engine backend of named queues promises beyond the shared conformance suite:
 * the engine's durability (Redis loss, crash repair, restarts), its audit trail and DLQ,
 * the missed-tick policy of recurring schedules, and retention.
 */
import { JobStatus } from '../../src/domain/job-status';
import type { QueueManager } from '../../src/manager/queue-manager';
import { deliveryJobId } from '../../src/queues/engine/delivery';
import type { MessageDocument } from '../../src/storage/message-store';
import type { RecurringDocument } from '../../src/storage/recurring-store';
import { orderKeyFor } from '../../src/storage/job-store';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

const harness = new QueueHarness('named_engine');
const fast = { configVersion: 2, pollIntervalMs: 50, delayMultiplier: 0.01, consumerHeartbeatMs: 100, retentionIntervalMs: 50 };

async function engineHub(name: string, config: Record<string, unknown> = fast): Promise<QueueManager> {
  const manager = await harness.manager({ name });
  await manager.setActiveBackend('engine', config);
  return manager;
}

beforeAll(() => harness.start());
afterAll(async () => {
  await Promise.all(harness.managers.map((m) => m.shutdown(1_000)));
  await harness.stop();
});

describe('named queues on the engine backend', () => {
  it('records every attempt of an exhausted delivery and dead-letters it with its errors', async () => {
    const hub = await engineHub('dlq');
    const queue = hub.getQueue<{ order: number }>('billing');
    await queue.consume(
      async (job) => {
        throw new Error(`charge ${job.data.order} declined on attempt ${job.attempts}`);
      },
      { consumerGroup: 'charges', maxRetries: 2 },
    );
    const id = await queue.enqueue({ order: 42 });
    const jobId = deliveryJobId('billing', 'charges', id);
    const entry = await waitFor(() => queuePartsOf(hub).dlqStore.findByJobId(jobId, { queue: 'billing#charges' }), 'the DLQ entry');
    expect(entry.queue).toBe('billing#charges');
    expect(entry.errors.map((e) => e.message)).toEqual([1, 2, 3].map((n) => `charge 42 declined on attempt ${n}`));
    const doc = await queuePartsOf(hub).store.collection.findOne({ jobId });
    expect(doc?.status).toBe(JobStatus.Dead);
    expect(doc?.history.map((h) => h.to)).toEqual(expect.arrayContaining([JobStatus.Pending, JobStatus.Processing, JobStatus.Scheduled, JobStatus.Dead]));
    expect((await queue.getStats()).failed).toBe(1);
  });

  it('reprocesses a dead-lettered delivery with corrections, back to its consumer group', async () => {
    const hub = await engineHub('reprocess');
    const queue = hub.getQueue<{ order: number }>('orders');
    const seen: Array<{ id: string; order: number }> = [];
    await queue.consume(
      async (job) => {
        seen.push({ id: job.id, order: job.data.order });
        if (job.data.order < 0) throw new Error('negative order');
      },
      { consumerGroup: 'fulfilment', maxRetries: 0 },
    );
    const id = await queue.enqueue({ order: -1 });
    const entry = await waitFor(() => hub.findDLQEntryByJobId(deliveryJobId('orders', 'fulfilment', id)), 'the DLQ entry');
    const result = await hub.reprocessDLQEntry(String(entry._id), 'ana', { order: 7 });
    expect(result.newJobId).toBe(`${deliveryJobId('orders', 'fulfilment', id)}:reprocess:1`);
    await waitFor(() => seen.some((s) => s.order === 7), 'the corrected run');
    expect(seen.at(-1)).toEqual({ id: `${id}:reprocess:1`, order: 7 });
    await waitFor(async () => (await queue.getStats()).groups?.[0]?.completed === 1, 'the completion');
    expect((await hub.findDLQEntryByJobId(entry.jobId))?.reprocessCount).toBe(1);
  });

  it('loses no message when Redis is flushed: the batches are rebuilt from MongoDB', async () => {
    const hub = await engineHub('flush');
    const queue = hub.getQueue<{ n: number }>('durable');
    const seen: number[] = [];
    await queue.consume(async (job) => void seen.push(job.data.n), { consumerGroup: 'g' });
    queue.pauseLocal();
    for (let n = 0; n < 8; n += 1) await queue.enqueue({ n });
    await queuePartsOf(hub).redis.flushall();
    queue.resumeLocal();
    await waitFor(() => seen.length === 8, 'every message after the flush');
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('repairs a message whose writer crashed before its deliveries were written', async () => {
    const hub = await engineHub('repair');
    const queue = hub.getQueue<{ n: number }>('repairs');
    const seen: string[] = [];
    await queue.consume(async (job) => void seen.push(job.id), { consumerGroup: 'g' });
    // What a crash between the message insert and the delivery insert leaves behind.
    const old = new Date(Date.now() - 60_000);
    await queuePartsOf(hub).connection.collection<MessageDocument>('queue_messages').insertOne({
      queue: 'repairs',
      messageId: 'half-written',
      data: { n: 1 },
      priority: 0,
      lifo: false,
      orderKey: orderKeyFor(old, false),
      runAt: old,
      createdAt: old,
      groups: ['g'],
      delivered: false,
    });
    await waitFor(() => seen.includes('half-written'), 'the repaired message to run');
    expect(seen.filter((id) => id === 'half-written')).toHaveLength(1);
  });

  it('keeps schedules across restarts and fires an overdue tick once, then resumes on the grid', async () => {
    const first = await engineHub('restart');
    // This process only stores the schedule: a tick it fired before shutting down would run first.
    first.stopPolling();
    await first.getQueue<{ k: number }>('nightly').scheduleRecurring('report', { k: 1 }, 100, { startDelay: 1 }); // every 1 s scaled
    await first.shutdown(1_000);

    // Downtime: the schedule is now ten intervals overdue.
    const second = await engineHub('restart');
    const schedules = queuePartsOf(second).connection.collection<RecurringDocument>('queue_recurring');
    const overdue = new Date(Date.now() - 10_000);
    await schedules.updateOne({ queue: 'nightly', scheduleId: 'report' }, { $set: { nextRunAt: overdue } });
    const queue = second.getQueue<{ k: number }>('nightly');
    const runs: string[] = [];
    await queue.consume(async (job) => void runs.push(job.id), { consumerGroup: 'reports' });
    await waitFor(() => runs.length >= 1, 'the catch-up run');
    expect(runs[0]).toBe(`report@${overdue.toISOString()}`);
    // The run can finish before the tick records itself on the schedule: wait for that record.
    const details = await waitFor(async () => {
      const current = await queue.getRecurringJobDetails('report');
      return current && current.runCount >= 1 ? current : undefined;
    }, 'the tick recorded on the schedule');
    expect(details.runCount).toBeGreaterThanOrEqual(1);
    // The next tick is on the original grid, after now: missed ticks are not replayed.
    const step = 100 * 1000 * 0.01;
    expect((details.nextRunAt.getTime() - overdue.getTime()) % step).toBe(0);
    expect(details.nextRunAt.getTime()).toBeGreaterThan(details.lastRunAt!.getTime());
    await waitFor(() => runs.length >= 3, 'two more ticks on the grid', 10_000);
    expect(new Set(runs).size).toBe(runs.length);
    expect(runs.filter((id) => id === `report@${overdue.toISOString()}`)).toHaveLength(1);
  });

  it('applies retention: keeps the newest completed deliveries, forgets messages none of whose deliveries remain', async () => {
    const hub = await engineHub('retention', { ...fast, retention: { completed: { maxCount: 2 } } });
    const queue = hub.getQueue<{ n: number }>('retained');
    const seen: number[] = [];
    await queue.consume(async (job) => void seen.push(job.data.n), { consumerGroup: 'g', concurrency: 1 });
    for (let n = 0; n < 5; n += 1) await queue.enqueue({ n }, { jobId: `r${n}` });
    await waitFor(() => seen.length === 5, 'five runs');
    await waitFor(async () => (await queue.getStats()).completed === 2, 'retention down to two completed');
    const messages = queuePartsOf(hub).connection.collection('queue_messages');
    await waitFor(async () => (await messages.countDocuments({ queue: 'retained' })) === 2, 'three messages forgotten');
    // A forgotten message's id may be used again.
    await queue.enqueue({ n: 99 }, { jobId: 'r0' });
    await waitFor(() => seen.includes(99), 'the re-used id to run');
  });

  it('keeps delivering and firing schedules without Redis (degraded), and recovers when it returns', async () => {
    const hub = await engineHub('degraded');
    const queue = hub.getQueue<{ n: number }>('no-redis');
    const seen: string[] = [];
    await queue.consume(async (job) => void seen.push(job.id), { consumerGroup: 'g' });
    await harness.redis.kill();
    try {
      await waitFor(() => !hub.lifecycle.redisUsable, 'the manager to notice Redis is gone');
      const id = await queue.enqueue({ n: 1 });
      await queue.scheduleRecurring('beat', { n: 2 }, 5, { startDelay: 0 }); // every 50 ms scaled
      await waitFor(() => seen.includes(id) && seen.some((s) => s.startsWith('beat@')), 'a message and a tick without Redis', 20_000);
    } finally {
      await harness.redis.start(harness.redis.port);
    }
    await waitFor(() => hub.lifecycle.redisUsable, 'Redis back', 20_000);
    const after = await queue.enqueue({ n: 3 });
    await waitFor(() => seen.includes(after), 'a message after Redis returned', 20_000);
    await queue.cancelRecurring('beat');
  });

  it('progress of addJob jobs and of named-queue jobs is stored and published; pauses are per queue', async () => {
    const hub = await engineHub('controls');
    const named = hub.getQueue<{ n: number }>('named-pause');
    await named.pause();
    expect(await named.isPaused()).toBe(true);
    // A named queue's switch never touches the engine queue of the same manager, and back.
    expect(await hub.isQueuePaused()).toBe(false);
    await named.resume();
    await hub.pauseQueue('ops');
    expect(await named.isPaused()).toBe(false);
    await hub.resumeQueue('ops');
  });
});
