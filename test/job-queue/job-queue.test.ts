import { JobQueue, JobPriorityOutOfRangeError, toQueuePriority, deadLetterMessageId, type DeadLetterMessage } from '../../src/job-queue';
import { InvalidJobOptionsError } from '../../src/errors';
import { deliveryQueueName } from '../../src/queues/engine/delivery';
import { retentionSchema } from '../../src/queues/retention';
import { testMongoUri } from '../support/mongo';
import { holdsThroughout, waitFor } from '../support/wait-for';
import { JobQueueWorld, SCALE } from './job-queue-support';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

const world = new JobQueueWorld('job_queue');

beforeAll(async () => {
  await world.start();
});

afterEach(async () => {
  await world.closeQueues();
});

afterAll(async () => {
  await world.stop();
});

describe('JobQueue', () => {
  test("the document's usage example runs as written, with connections from the environment", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      MONGO_URI: testMongoUri(),
      MONGO_DB_NAME: world.harness.dbName,
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(world.harness.redis.port),
      QUEUE_REDIS_DB: '0',
      QUEUE_NAMESPACE: world.harness.namespace,
      LOG_LEVEL: 'silent',
    });
    const printed: unknown[][] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args));
    let example: JobQueue<{ userId: string; exportId: string }> | undefined;
    try {
      // --- the example, verbatim (inside a function so it can run here) ---
      const run = async () => {
        const queue = new JobQueue<{ userId: string; exportId: string }>({
          name: 'export-jobs',
          deadLetterQueueName: 'export-jobs-dlq',
          workerOptions: { concurrency: 10 },
        });
        example = queue;

        await queue.start(async (job) => {
          await job.updateProgress(10);
          // ...do work...
          await job.updateProgress(100);
          return { status: 'complete' };
        });

        const jobId = await queue.enqueue({ userId: '123', exportId: 'abc' }, {
          priority: 1,
          attempts: 3,
          backoff: { type: 'exponential', delay: 2000 },
        });

        queue.onProgress(({ jobId, progress }) => console.log(jobId, progress));

        const metrics = await queue.metrics();
        console.log(metrics);
        return jobId;
      };
      // --- end of the example ---
      const jobId = await run();
      expect(typeof jobId).toBe('string');
      expect(printed.at(-1)?.[0]).toEqual(expect.objectContaining({ waiting: expect.any(Number), active: expect.any(Number), completed: expect.any(Number), failed: 0, delayed: 0 }));
      await waitFor(async () => (await example!.metrics()).completed === 1, 'the example job completed');
      const reader = await world.manager();
      const job = await waitFor(
        () => queuePartsOf(reader).store.collection.findOne({ queue: deliveryQueueName('export-jobs', 'job-queue'), status: 'completed' }),
        'the stored job',
      );
      expect(job.progress).toBe(100);
      expect(job.result).toEqual({ status: 'complete' });
      expect(job.maxAttempts).toBe(3);
    } finally {
      log.mockRestore();
      await example?.shutdown();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  test('priority keeps BullMQ’s meaning: none, then 1, then 5 (FIFO), then 10; out of range is refused', async () => {
    expect([undefined, 0, 1, 2, 10, 100].map(toQueuePriority)).toEqual([100, 100, 99, 98, 90, 0]);
    for (const bad of [-1, 101, 1.5, 2_000_000]) expect(() => toQueuePriority(bad)).toThrow(JobPriorityOutOfRangeError);
    const queue = await world.queue<{ label: string }>({ name: 'prio', workerOptions: { concurrency: 1 } });
    await expect(queue.enqueue({ label: 'bad' }, { priority: 500 })).rejects.toMatchObject({ code: 'PRIORITY_OUT_OF_RANGE', message: expect.stringContaining('1 (most urgent) to 100 (least urgent)') });
    // All waiting before the first worker starts.
    for (const [label, priority] of [['p10', 10], ['p5a', 5], ['p1', 1], ['none', undefined], ['p5b', 5]] as const) {
      await queue.enqueue({ label }, priority === undefined ? {} : { priority });
    }
    expect(await queue.metrics()).toMatchObject({ waiting: 5 });
    const order: string[] = [];
    await queue.start(async (job) => void order.push(job.data.label));
    await waitFor(() => order.length === 5, 'five jobs ran');
    expect(order).toEqual(['none', 'p1', 'p5a', 'p5b', 'p10']);
  });

  test('attempts and backoff: per job, and the documented default of 3 attempts with exponential backoff', async () => {
    const queue = await world.queue<{ label: string }>({ name: 'retrying', workerOptions: { concurrency: 4 } });
    const runs = new Map<string, Array<{ attemptsMade: number; at: number }>>();
    await queue.start(async (job) => {
      runs.set(job.data.label, [...(runs.get(job.data.label) ?? []), { attemptsMade: job.attemptsMade, at: Date.now() }]);
      throw new Error(`${job.data.label} failed on attempt ${job.attemptsMade + 1}`);
    });
    await queue.enqueue({ label: 'fixed' }, { attempts: 4, backoff: { type: 'fixed', delay: 2_000 } }); // 100 ms scaled
    await queue.enqueue({ label: 'default' }); // 1 s, then 2 s: 50 and 100 ms scaled
    await queue.enqueue({ label: 'once' }, { attempts: 1 });
    await waitFor(async () => (await queue.metrics()).failed === 3, 'three jobs failed for good', 20_000);
    expect(runs.get('once')!.map((r) => r.attemptsMade)).toEqual([0]);
    const fixed = runs.get('fixed')!;
    expect(fixed.map((r) => r.attemptsMade)).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < fixed.length; i += 1) expect(fixed[i].at - fixed[i - 1].at).toBeGreaterThanOrEqual(2_000 * SCALE - 10);
    const byDefault = runs.get('default')!;
    expect(byDefault.map((r) => r.attemptsMade)).toEqual([0, 1, 2]);
    expect(byDefault[1].at - byDefault[0].at).toBeGreaterThanOrEqual(1_000 * SCALE - 10);
    expect(byDefault[2].at - byDefault[1].at).toBeGreaterThanOrEqual(2_000 * SCALE - 10);
    await expect(queue.enqueue({ label: 'bad' }, { attempts: 0 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    await expect(queue.enqueue({ label: 'bad' }, { backoff: { type: 'linear' as 'fixed', delay: 10 } })).rejects.toBeInstanceOf(InvalidJobOptionsError);
  });

  test('exhausted jobs reach the dead-letter queue with their id, reason, data and attempts; an operator reads it with a second JobQueue', async () => {
    const queue = await world.queue<{ orderId: number }>({ name: 'orders', deadLetterQueueName: 'orders-dlq', deadLetterScanIntervalMs: 50 });
    await queue.start(async (job) => {
      if (job.data.orderId === 2) throw new Error(`order ${job.data.orderId} is broken`);
      return 'ok';
    });
    const failingId = await queue.enqueue({ orderId: 2 }, { attempts: 2, backoff: { type: 'fixed', delay: 100 }, jobId: 'order-2' });
    await queue.enqueue({ orderId: 1 });
    const operator = await world.queue<DeadLetterMessage<{ orderId: number }>>({ name: 'orders-dlq' });
    const received: Array<DeadLetterMessage<{ orderId: number }>> = [];
    await operator.start(async (job) => void received.push(job.data));
    await waitFor(() => received.length === 1, 'the dead-letter message');
    expect(failingId).toBe('order-2');
    expect(received[0]).toEqual({
      jobId: 'order-2',
      failedReason: 'order 2 is broken',
      data: { orderId: 2 },
      attemptsMade: 2,
      failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      queue: 'orders',
    });
    expect(await queue.metrics()).toMatchObject({ completed: 1, failed: 1 });
    await holdsThroughout(() => received.length === 1, 'one dead-letter message only');
  });

  test('the forward survives a crash after the failure and is made once even when retried', async () => {
    // Process A records the death but never forwards (its next pass is an hour away): a crash's effect.
    const managerA = await world.manager();
    const a = await world.queue<{ n: number }>({ name: 'fragile', deadLetterQueueName: 'fragile-dlq', deadLetterScanIntervalMs: 3_600_000, manager: managerA });
    await a.start(async () => {
      throw new Error('always');
    });
    await a.enqueue({ n: 7 }, { attempts: 1, jobId: 'fragile-7' });
    await waitFor(async () => (await a.metrics()).failed === 1, 'the job is dead');
    const dlq = managerA.getQueue<DeadLetterMessage>('fragile-dlq');
    expect(await dlq.metrics()).toMatchObject({ waiting: 0 });
    await a.shutdown();
    // Process B, started later, finds the recorded death and forwards it.
    const managerB = await world.manager();
    const b = await world.queue<{ n: number }>({ name: 'fragile', deadLetterQueueName: 'fragile-dlq', deadLetterScanIntervalMs: 50, manager: managerB });
    await b.start(async () => undefined);
    const messages = queuePartsOf(managerB).connection.collection('queue_messages');
    await waitFor(async () => (await messages.countDocuments({ queue: 'fragile-dlq' })) === 1, 'the forward by process B');
    // A retried forward (as after a crash between the enqueue and its mark) adds nothing.
    const jobs = queuePartsOf(managerB).store.collection;
    const deadId = `${deliveryQueueName('fragile', 'job-queue')}#fragile-7`;
    await jobs.updateOne({ jobId: deadId }, { $unset: { deadLetterForwardedAt: '' } });
    await waitFor(async () => (await jobs.countDocuments({ jobId: deadId, deadLetterForwardedAt: { $exists: true } })) === 1, 'the forward retried');
    const stored = await messages.find({ queue: 'fragile-dlq' }).toArray();
    expect(stored.map((m) => m.messageId)).toEqual([deadLetterMessageId('fragile', 'fragile-7')]);
    expect(stored[0].data).toMatchObject({ jobId: 'fragile-7', failedReason: 'always', data: { n: 7 }, attemptsMade: 1, queue: 'fragile' });
  });

  test('metrics() reports waiting, active, completed, failed and delayed jobs', async () => {
    const queue = await world.queue<{ kind: 'ok' | 'fail' | 'hold' | 'wait' }>({ name: 'counted', workerOptions: { concurrency: 1 } });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await queue.start(async (job) => {
      if (job.data.kind === 'fail') throw new Error('no');
      if (job.data.kind === 'hold') await held;
    });
    await queue.enqueue({ kind: 'ok' });
    await queue.enqueue({ kind: 'fail' }, { attempts: 1 });
    await waitFor(async () => {
      const m = await queue.metrics();
      return m.completed === 1 && m.failed === 1;
    }, 'one completed, one failed');
    await queue.enqueue({ kind: 'hold' });
    await waitFor(async () => (await queue.metrics()).active === 1, 'the held job active');
    await queue.enqueue({ kind: 'wait' });
    await queue.enqueue({ kind: 'wait' });
    await queue.enqueue({ kind: 'wait' }, { delay: 3_600_000 });
    expect(await queue.metrics()).toEqual({ waiting: 2, active: 1, completed: 1, failed: 1, delayed: 1 });
    release();
    await waitFor(async () => (await queue.metrics()).completed === 4, 'the rest completed');
    expect(await queue.metrics()).toEqual({ waiting: 0, active: 0, completed: 4, failed: 1, delayed: 1 });
  });

  test('pause() holds the workers of every process until resume()', async () => {
    const workerManager = await world.manager();
    const worker = await world.queue<{ n: number }>({ name: 'pausable', manager: workerManager });
    const seen: number[] = [];
    await worker.start(async (job) => void seen.push(job.data.n));
    const admin = await world.queue<{ n: number }>({ name: 'pausable' });
    await admin.pause();
    // The worker's process reads the switch within its poll interval.
    await waitFor(() => queuePartsOf(workerManager).controls.lastKnown('named:pausable'), 'the worker process saw the pause');
    await admin.enqueue({ n: 1 });
    await holdsThroughout(() => seen.length === 0, 'nothing runs while paused');
    await admin.resume();
    await waitFor(() => seen.length === 1, 'the job after resume');
  });

  test('repeat: every N ms and a cron pattern run per tick; the same rule replaces itself; removeRepeatable stops it', async () => {
    const queue = await world.queue<{ kind: string }>({ name: 'repeating' });
    const runs: Array<{ id: string; kind: string }> = [];
    await queue.start(async (job) => void runs.push({ id: job.id, kind: job.data.kind }));
    const everyId = await queue.enqueue({ kind: 'every' }, { repeat: { every: 2_000 } }); // 100 ms scaled
    expect(await queue.enqueue({ kind: 'every' }, { repeat: { every: 2_000 } })).toBe(everyId);
    const cronId = await queue.enqueue({ kind: 'cron' }, { repeat: { pattern: '* * * * * *' }, jobId: 'each-second' });
    expect(cronId).toBe('each-second');
    await waitFor(() => runs.filter((r) => r.kind === 'every').length >= 3 && runs.filter((r) => r.kind === 'cron').length >= 2, 'ticks of both rules', 15_000);
    expect(runs.every((r) => r.id.startsWith(r.kind === 'every' ? `${everyId}@` : 'each-second@'))).toBe(true);
    // One schedule per rule: tick ids never repeat.
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    await queue.removeRepeatable(everyId);
    await queue.removeRepeatable(cronId);
    await expect(queue.enqueue({ kind: 'x' }, { repeat: { every: 1_000 }, priority: 1 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    const before = runs.length;
    // A tick enqueued just before the cancel may still run; nothing after it.
    await holdsThroughout(() => runs.length <= before + 2, 'no ticks after removeRepeatable', 1_500);
  });

  test('shutdown() lets a running job finish, then closes; a manager passed in stays open', async () => {
    const manager = await world.manager();
    const queue = await world.queue<{ ms: number }>({ name: 'draining', manager });
    let started = false;
    let finished = false;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await queue.start(async () => {
      started = true;
      await gate;
      finished = true;
      return 'done';
    });
    await queue.enqueue({ ms: 0 }, { jobId: 'long' });
    await waitFor(() => started, 'the job started');
    const closing = queue.shutdown();
    await holdsThroughout(() => !finished, 'shutdown waits for the job', 200);
    release();
    await closing;
    expect(finished).toBe(true);
    const stored = await queuePartsOf(manager).store.collection.findOne({ jobId: `${deliveryQueueName('draining', 'job-queue')}#long` });
    expect(stored).toMatchObject({ status: 'completed', result: 'done' });
    expect(manager.isStarted).toBe(true);
    await expect(queue.enqueue({ ms: 0 })).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  test('retention defaults: 1,000 completed jobs for 24 hours, failed jobs for 7 days', () => {
    expect(retentionSchema.parse({})).toEqual({ completed: { maxCount: 1000, maxAgeSeconds: 86_400 }, failed: { maxAgeSeconds: 7 * 86_400 } });
  });

  test('bad constructor options are refused before anything connects', () => {
    expect(() => new JobQueue({ name: 'has space' })).toThrow(InvalidJobOptionsError);
    expect(() => new JobQueue({ name: 'same', deadLetterQueueName: 'same' })).toThrow(/deadLetterQueueName must differ/);
    expect(() => new JobQueue({ name: 'ok', workerOptions: { concurrency: 0 } })).toThrow(InvalidJobOptionsError);
  });
});
