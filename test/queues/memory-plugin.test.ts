import { ConfigError, InvalidJobOptionsError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import { migratePluginConfig } from '../../src/queues/config-migration';
import { InMemoryQueue, QueueFullError, QueueStoppedError, memoryQueuePlugin, type MemoryQueueConfig } from '../../src/queues/memory';
import type { DeliveredJob, NamedQueueBackend, Queue, QueueConsumer, QueueJob } from '../../src/queue-api/queue-api';
import type { StoredPluginConfig } from '../../src/queue-api/queue-plugin';
import { waitFor } from '../support/wait-for';

const WAIT_MS = 5_000;
const created: NamedQueueBackend<unknown>[] = [];

/** A memory queue with fast delays (retry backoff 2^n × 1 s becomes 2^n ms). */
function makeQueue<T>(overrides: StoredPluginConfig = {}, name = 'memory-test'): NamedQueueBackend<T> {
  const config: MemoryQueueConfig = migratePluginConfig(memoryQueuePlugin, { configVersion: 2, delayMultiplier: 0.001, ...overrides });
  const queue = new InMemoryQueue<T>(name, config, silentLogger());
  created.push(queue as NamedQueueBackend<unknown>);
  return queue;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  // Handler failures (sync throws included) are the queue's business, never the process's.
  expect(unhandled).toEqual([]);
});

afterEach(async () => {
  await Promise.all(created.splice(0).map((queue) => queue.stop(0)));
});

describe('memory plugin config', () => {
  it('fills the documented defaults at version 3: concurrency 10, maxQueueSize 10000, delayMultiplier 1', () => {
    const config = migratePluginConfig(memoryQueuePlugin, { configVersion: 3 });
    expect(config).toMatchObject({ concurrency: 10, maxQueueSize: 10_000, delayMultiplier: 1, heartbeatIntervalMs: 5_000 });
    expect(migratePluginConfig(memoryQueuePlugin, { configVersion: 3, concurrency: 100, delayMultiplier: 0 })).toMatchObject({ concurrency: 100, delayMultiplier: 0 });
  });

  it('migrates version 2: its default concurrency (5) is kept, values above 100 become 100', () => {
    expect(migratePluginConfig(memoryQueuePlugin, { configVersion: 2, concurrency: 1000 }).concurrency).toBe(100);
    expect(migratePluginConfig(memoryQueuePlugin, { configVersion: 2, concurrency: 40 }).concurrency).toBe(40);
  });

  it('fills defaults at version 2', () => {
    const config = migratePluginConfig(memoryQueuePlugin, { configVersion: 2 });
    expect(config).toMatchObject({ concurrency: 5, maxQueueSize: 10_000, delayMultiplier: 1 });
    expect(config.retention.completed).toEqual({ maxCount: 1000, maxAgeSeconds: 86_400 });
    expect(config.retention.failed).toEqual({ maxAgeSeconds: 7 * 86_400 });
  });

  it.each([
    [{ concurrency: 0 }, /concurrency/],
    [{ concurrency: 1.5 }, /concurrency/],
    [{ concurrency: 101 }, /concurrency/],
    [{ maxQueueSize: 0 }, /maxQueueSize/],
    [{ delayMultiplier: -0.1 }, /delayMultiplier/],
    [{ heartbeatIntervalMs: -1 }, /heartbeatIntervalMs/],
    [{ delayMultiplier: 2 }, /delayMultiplier/],
    [{ retention: { completed: { maxCount: -1 } } }, /retention\.completed\.maxCount/],
    [{ surprise: true }, /surprise/],
  ])('rejects %j with a ConfigError naming the field', (fields, field) => {
    const attempt = () => migratePluginConfig(memoryQueuePlugin, { configVersion: 3, ...fields });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(field);
  });

  it('migrates version 1 (timeScale) to delayMultiplier', () => {
    expect(migratePluginConfig(memoryQueuePlugin, { timeScale: 0.25, concurrency: 2 })).toMatchObject({ delayMultiplier: 0.25, concurrency: 2 });
    expect(migratePluginConfig(memoryQueuePlugin, { configVersion: 1, timeScale: 0.5 }).delayMultiplier).toBe(0.5);
    expect(migratePluginConfig(memoryQueuePlugin, { configVersion: 1 }).delayMultiplier).toBe(1);
    // At version 2 timeScale is no longer a field.
    expect(() => migratePluginConfig(memoryQueuePlugin, { configVersion: 2, timeScale: 0.5 })).toThrow(/timeScale/);
    // Both names at version 1 is ambiguous: rejected rather than guessed.
    expect(() => migratePluginConfig(memoryQueuePlugin, { configVersion: 1, timeScale: 0.5, delayMultiplier: 0.1 })).toThrow(ConfigError);
  });
});

describe('memory queue', () => {
  it('runs the highest priority first, FIFO within a priority, LIFO jobs newest first', async () => {
    const queue = makeQueue<string>();
    await queue.enqueue('low-1', { priority: 1 });
    await queue.enqueue('high', { priority: 9 });
    await queue.enqueue('low-2', { priority: 1 });
    await queue.enqueue('mid-fifo', { priority: 5 });
    await queue.enqueue('mid-lifo-1', { priority: 5, lifo: true });
    await queue.enqueue('mid-lifo-2', { priority: 5, lifo: true });
    const seen: string[] = [];
    await queue.consume(async (job) => void seen.push(job.data), { consumerGroup: 'g', concurrency: 1 });
    await waitFor(() => seen.length === 6, 'all six jobs', WAIT_MS);
    expect(seen).toEqual(['high', 'mid-lifo-2', 'mid-lifo-1', 'mid-fifo', 'low-1', 'low-2']);
  });

  it('delivers each job with its fields, dedups by jobId and broadcasts to every group', async () => {
    const queue = makeQueue<{ n: number }>();
    const jobs: Array<DeliveredJob<{ n: number }> & { group: string }> = [];
    await queue.consume(async (job, context) => void jobs.push({ ...job, group: context.consumerGroup }), { consumerGroup: 'a' });
    await queue.consume(async (job, context) => void jobs.push({ ...job, group: context.consumerGroup }), { consumerGroup: 'b' });
    const before = Date.now();
    expect(await queue.enqueue({ n: 1 }, { jobId: 'job-1', priority: 3 })).toBe('job-1');
    expect(await queue.enqueue({ n: 2 }, { jobId: 'job-1' })).toBe('job-1');
    await waitFor(() => jobs.length === 2, 'one delivery per group', WAIT_MS);
    expect(jobs.map((j) => j.group).sort()).toEqual(['a', 'b']);
    for (const job of jobs) {
      expect(job).toMatchObject({ id: 'job-1', data: { n: 1 }, priority: 3, attempts: 1 });
      expect(job.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    }
    // Still retained after completing: the id is still taken.
    expect(await queue.enqueue({ n: 3 }, { jobId: 'job-1' })).toBe('job-1');
    const stats = await queue.getStats();
    expect(stats).toMatchObject({ pending: 0, processing: 0, completed: 2, failed: 0 });
    expect(stats.consumerGroups).toBe(2);
    expect(stats.groups!.map((g) => [g.name, g.consumers, g.completed])).toEqual([
      ['a', 1, 1],
      ['b', 1, 1],
    ]);
  });

  it('retries with backoff until maxRetries, then fails; one group failing leaves the other alone', async () => {
    const queue = makeQueue<string>();
    const attempts: number[] = [];
    await queue.consume(
      async (job) => {
        attempts.push(job.attempts);
        if (job.attempts < 3) throw new Error(`boom ${job.attempts}`);
      },
      { consumerGroup: 'eventually', maxRetries: 3 },
    );
    let hopeless = 0;
    await queue.consume(
      () => {
        hopeless += 1;
        throw new Error('synchronous failure');
      },
      { consumerGroup: 'hopeless', maxRetries: 1 },
    );
    await queue.enqueue('x');
    await waitFor(async () => (await queue.getStats()).failed === 1 && (await queue.getStats()).completed === 1, 'one completed, one failed', WAIT_MS);
    expect(attempts).toEqual([1, 2, 3]);
    expect(hopeless).toBe(2);
    expect(await queue.metrics()).toEqual({ waiting: 0, active: 0, completed: 1, failed: 1, delayed: 0 });
  });

  it('validates options with typed errors', async () => {
    const queue = makeQueue<string>();
    await expect(queue.enqueue('x', { priority: -1 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    await expect(queue.enqueue('x', { jobId: 'has space' })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    await expect(queue.consume(async () => undefined, { consumerGroup: '' })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    expect((await queue.getStats()).pending).toBe(0);
  });

  it('throws QueueFullError past maxQueueSize and enqueues nothing', async () => {
    const queue = makeQueue<number>({ maxQueueSize: 2 });
    await queue.enqueue(1, { jobId: 'one' });
    await queue.enqueue(2);
    const full = queue.enqueue(3, { jobId: 'three' });
    await expect(full).rejects.toBeInstanceOf(QueueFullError);
    await expect(full).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    // An existing id is not a new message: it is returned even when full.
    expect(await queue.enqueue(1, { jobId: 'one' })).toBe('one');
    expect(await queue.getStats()).toMatchObject({ pending: 2 });
    expect(await queue.metrics()).toMatchObject({ waiting: 2 });

    const seen: number[] = [];
    await queue.consume(async (job) => void seen.push(job.data), { consumerGroup: 'g' });
    await waitFor(async () => (await queue.getStats()).completed === 2, 'the two stored jobs', WAIT_MS);
    expect(seen.sort()).toEqual([1, 2]);
    // Finished messages no longer count: there is room again, and "three" was never stored.
    expect(await queue.enqueue(3, { jobId: 'three' })).toBe('three');
    await waitFor(() => seen.length === 3, 'the third job', WAIT_MS);
  });

  it('prunes finished deliveries by retention and forgets their jobIds', async () => {
    const queue = makeQueue<string>({ retention: { completed: { maxCount: 2 }, failed: { maxAgeSeconds: 0 } } });
    const runs: string[] = [];
    await queue.consume(
      async (job) => {
        runs.push(job.id);
        if (job.data === 'fail') throw new Error('no');
      },
      { consumerGroup: 'g', maxRetries: 0, concurrency: 1 },
    );
    for (const id of ['j1', 'j2', 'j3', 'j4']) await queue.enqueue('ok', { jobId: id });
    await queue.enqueue('fail', { jobId: 'bad' });
    await waitFor(() => runs.length === 5, 'five runs', WAIT_MS);
    await waitFor(async () => (await queue.getStats()).processing === 0, 'idle', WAIT_MS);
    expect(await queue.getStats()).toMatchObject({ completed: 2, failed: 0, pending: 0 });

    // j1 and j2 were dropped (only the newest two kept), 'bad' expired at once: they may run again.
    for (const id of ['j1', 'j2', 'j3', 'j4', 'bad']) await queue.enqueue('ok', { jobId: id });
    await waitFor(() => runs.length === 8, 'the forgotten ids to run again', WAIT_MS);
    expect(runs.slice(5).sort()).toEqual(['bad', 'j1', 'j2']);
  });

  it('deep-copies data on enqueue, into objects of the caller\'s realm', async () => {
    interface Data {
      tags: string[];
      nested: { n: number };
      at: Date;
      byKey: Map<string, number>;
    }
    const queue = makeQueue<Data>();
    const data: Data = { tags: ['a'], nested: { n: 1 }, at: new Date(0), byKey: new Map([['k', 1]]) };
    await queue.enqueue(data, { jobId: 'copy' });
    data.tags.push('mutated');
    data.nested.n = 99;
    data.at.setTime(5);
    data.byKey.set('k', 2);
    const seen: Data[] = [];
    const realmChecks: boolean[] = [];
    await queue.consume(
      async (job) => {
        realmChecks.push(job.data instanceof Object && job.data.at instanceof Date && job.data.byKey instanceof Map);
        seen.push(job.data);
        if (job.attempts === 1) {
          job.data.nested.n = -1; // must not leak into the retry
          throw new Error('retry me');
        }
      },
      { consumerGroup: 'g' },
    );
    await waitFor(() => seen.length === 2, 'two attempts', WAIT_MS);
    expect(realmChecks).toEqual([true, true]);
    expect(seen[1]).toStrictEqual({ tags: ['a'], nested: { n: 1 }, at: new Date(0), byKey: new Map([['k', 1]]) });
    expect(seen[0].nested.n).toBe(-1);
  });

  it('adopts messages enqueued before any group into the first group only', async () => {
    const queue = makeQueue<string>();
    await queue.enqueue('early', { startDelay: 10 }); // 10 ms at delayMultiplier 0.001
    expect(await queue.getStats()).toMatchObject({ pending: 1, consumerGroups: 0, groups: [] });
    const seen: string[] = [];
    await queue.consume(async (job, context) => void seen.push(`${context.consumerGroup}:${job.data}`), { consumerGroup: 'first' });
    await queue.consume(async (job, context) => void seen.push(`${context.consumerGroup}:${job.data}`), { consumerGroup: 'second' });
    await waitFor(() => seen.length === 1, 'the adopted message', WAIT_MS);
    await queue.enqueue('late');
    await waitFor(() => seen.length === 3, 'the later message in both groups', WAIT_MS);
    expect(seen.sort()).toEqual(['first:early', 'first:late', 'second:late']);
  });

  it('emits progress to listeners until they unsubscribe', async () => {
    const queue = makeQueue<string>();
    const events: unknown[] = [];
    const unsubscribe = queue.onProgress((event) => events.push(event));
    let releaseHandler: (() => void) | undefined;
    const release = new Promise<void>((resolve) => (releaseHandler = resolve));
    let seenWhenResolved = -1;
    await queue.consume(
      async (_job, context) => {
        await context.reportProgress(50);
        seenWhenResolved = events.length;
        await release;
        await context.reportProgress({ step: 'done' });
      },
      { consumerGroup: 'g' },
    );
    await queue.enqueue('x', { jobId: 'p1' });
    await waitFor(() => events.length === 1, 'the first progress event', WAIT_MS);
    expect(events[0]).toEqual({ queue: 'memory-test', jobId: 'p1', consumerGroup: 'g', progress: 50 });
    expect(seenWhenResolved).toBe(1);
    unsubscribe();
    releaseHandler?.();
    await waitFor(async () => (await queue.getStats()).completed === 1, 'completion', WAIT_MS);
    expect(events).toHaveLength(1);
  });

  it('starts nothing while paused or not polling, and resumes', async () => {
    const queue = makeQueue<string>();
    let runs = 0;
    await queue.consume(async () => void (runs += 1), { consumerGroup: 'g' });
    await queue.pause();
    expect(await queue.isPaused()).toBe(true);
    queue.setPolling(false);
    await queue.enqueue('a');
    await queue.resume();
    expect(await queue.isPaused()).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(0);
    expect(await queue.metrics()).toMatchObject({ waiting: 1, active: 0 });
    queue.pauseLocal();
    queue.setPolling(true);
    expect(await queue.isPaused()).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(0);
    queue.resumeLocal();
    await waitFor(() => runs === 1, 'the job after resuming', WAIT_MS);
  });

  it('fires recurring schedules, replaces and cancels them', async () => {
    const queue = makeQueue<string>({ delayMultiplier: 0.01 });
    const seen: string[] = [];
    await queue.consume(async (job) => void seen.push(job.id), { consumerGroup: 'g' });
    await queue.scheduleRecurring('tick', 'payload', 1, { priority: 4 }); // every 10 ms
    const info = (await queue.getRecurringJobDetails('tick'))!;
    expect(info).toMatchObject({ jobId: 'tick', queue: 'memory-test', data: 'payload', priority: 4, runCount: 0, lastRunAt: null });
    expect(info.schedule).toEqual({ kind: 'interval', intervalSeconds: 1 });
    await waitFor(() => seen.length >= 2, 'two ticks', WAIT_MS);
    expect(seen[0]).toMatch(/^tick@\d{4}-/);
    const details = await queue.getRecurringJobDetails('tick');
    expect(details?.runCount).toBeGreaterThanOrEqual(2);
    expect(details?.lastRunAt).toBeInstanceOf(Date);

    await queue.scheduleRecurring('tick', 'payload', 3600);
    await queue.scheduleRecurring('another', 'x', { cron: '0 0 1 1 *' });
    expect(await queue.listRecurringJobs()).toEqual(['another', 'tick']);
    expect((await queue.getRecurringJobDetails('tick'))?.createdAt).toEqual(info.createdAt);
    const ticks = seen.length;
    await queue.cancelRecurring('tick');
    await expect(queue.cancelRecurring('tick')).resolves.toBeUndefined();
    expect(await queue.getRecurringJobDetails('tick')).toBeUndefined();
    expect(await queue.listRecurringJobs()).toEqual(['another']);
    expect(seen.length).toBe(ticks);
  });

  it('stop() waits, aborts a hanging handler after graceMs, puts it back to waiting and refuses consume()', async () => {
    const queue = makeQueue<string>();
    let signal: AbortSignal | undefined;
    await queue.consume(
      async (_job, context) => {
        signal = context.signal;
        await new Promise(() => undefined); // ignores its signal and never settles
      },
      { consumerGroup: 'g' },
    );
    await queue.enqueue('stuck');
    await waitFor(async () => (await queue.getInFlightCount()) === 1, 'the handler to start', WAIT_MS);
    const started = Date.now();
    await queue.stop(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(Error);
    expect(await queue.getInFlightCount()).toBe(0);
    const stats = await queue.getStats();
    expect(stats).toMatchObject({ pending: 1, processing: 0, completed: 0, failed: 0 });
    expect(stats.groups).toEqual([{ name: 'g', consumers: 0, pending: 1, processing: 0, completed: 0, failed: 0 }]);

    await expect(queue.consume(async () => undefined, { consumerGroup: 'g' })).rejects.toBeInstanceOf(QueueStoppedError);
    await queue.enqueue('after stop');
    expect((await queue.getStats()).pending).toBe(2);
  });

  it('stop() lets a handler that honours its signal go back to waiting without spending an attempt', async () => {
    const queue = makeQueue<string>();
    let finishedNormally = false;
    await queue.consume(
      (_job, context) =>
        new Promise((resolve, reject) => {
          context.signal.addEventListener('abort', () => reject(context.signal.reason));
          setTimeout(() => {
            finishedNormally = true;
            resolve(undefined);
          }, 10_000).unref();
        }),
      { consumerGroup: 'g', maxRetries: 0 },
    );
    await queue.enqueue('slow');
    await waitFor(async () => (await queue.getInFlightCount()) === 1, 'the handler to start', WAIT_MS);
    await queue.stop(20);
    expect(finishedNormally).toBe(false);
    expect(await queue.metrics()).toEqual({ waiting: 1, active: 0, completed: 0, failed: 0, delayed: 0 });
  });
});

describe('InMemoryQueue as the reference implementation documents it', () => {
  it('works standalone with the documented test config and implements Queue<T>', async () => {
    const queue: Queue<{ n: number }> = new InMemoryQueue<{ n: number }>('test-queue', { concurrency: 10, maxQueueSize: 100, delayMultiplier: 0.01 });
    created.push(queue as NamedQueueBackend<unknown>);
    const seen: Array<QueueJob<{ n: number }>> = [];
    const consumer: QueueConsumer<{ n: number }> = async (job) => void seen.push(job);
    await queue.consume(consumer, { consumerGroup: 'test-group' });
    await queue.enqueue({ n: 1 }, { priority: 5 });
    await waitFor(() => seen.length === 1, 'the job', WAIT_MS);
    expect(seen[0]).toMatchObject({ data: { n: 1 }, priority: 5, attempts: 1 });
    expect(seen[0].timestamp).toBeInstanceOf(Date);
    await expect(queue.testConnection()).resolves.toBeUndefined();
    expect(await queue.getStats()).toMatchObject({ pending: 0, processing: 0, completed: 1, failed: 0, consumerGroups: 1 });
    expect(() => new InMemoryQueue('bad', { concurrency: 0 })).toThrow(ConfigError);
    expect(() => new InMemoryQueue('bad', { delayMultiplier: 2 })).toThrow(/delayMultiplier/);
  });

  it('holds maxQueueSize unfinished jobs, then refuses with QueueFullError', async () => {
    const queue = new InMemoryQueue<number>('small', { maxQueueSize: 2 });
    created.push(queue as NamedQueueBackend<unknown>);
    await queue.enqueue(1);
    await queue.enqueue(2);
    await expect(queue.enqueue(3)).rejects.toBeInstanceOf(QueueFullError);
  });

  it('retries with maxRetries 3 after 2, 4 and 8 s (scaled); attempt 4 failing marks the job failed', async () => {
    const multiplier = 0.01; // 2 s → 20 ms
    const queue = new InMemoryQueue<string>('backoff', { delayMultiplier: multiplier });
    created.push(queue as NamedQueueBackend<unknown>);
    const times: number[] = [];
    await queue.consume(
      async () => {
        times.push(Date.now());
        throw new Error('always');
      },
      { consumerGroup: 'g', maxRetries: 3 },
    );
    await queue.enqueue('x');
    await waitFor(async () => (await queue.getStats()).failed === 1, 'the job marked failed', WAIT_MS);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    [2000, 4000, 8000].forEach((ms, i) => expect(gaps[i]).toBeGreaterThanOrEqual(ms * multiplier - 2));
    expect(await queue.getStats()).toMatchObject({ pending: 0, processing: 0, completed: 0, failed: 1 });
  });
});
