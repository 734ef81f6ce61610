/**
 * A backend written only to the documented QueuePlugin / Queue<T> interface (Redis sorted sets,
 * test/queues/support/sorted-set-queue-plugin.ts) registered next to the product's own: the
 * manager's proxies drive it, replay onto it, and refuse what it cannot do with typed errors.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { LocalRedisServer } from '../../src/devservers/redis';
import { memoryQueuePlugin } from '../../src/queues/memory';
import { NamedQueues } from '../../src/queues/named-queues';
import { QueuePluginRegistry } from '../../src/queue-api/plugin-registry';
import type { ProgressEvent } from '../../src/queue-api/queue-api';
import { QueueCapabilityError, QueueConnectionError } from '../../src/queues/queue-errors';
import { testLogger } from '../support/queue-harness';
import { holdsThroughout, waitFor } from '../support/wait-for';
import { SortedSetQueuePlugin } from './support/sorted-set-queue-plugin';

const redis = new LocalRedisServer();
let client: Redis;
const hubs: NamedQueues[] = [];

beforeAll(async () => {
  await redis.start();
  client = new Redis({ host: '127.0.0.1', port: redis.port });
});

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.shutdown(1_000)));
});

afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

function sortedSetConfig(port = redis.port): { port: number; prefix: string; delayMultiplier: number; pollIntervalMs: number } {
  return { port, prefix: `tp${randomBytes(4).toString('hex')}`, delayMultiplier: 0.01, pollIntervalMs: 10 };
}

function hub(initial: { pluginId: string; config: unknown }): NamedQueues {
  const plugins = new QueuePluginRegistry().register(memoryQueuePlugin).register(new SortedSetQueuePlugin());
  const opened = new NamedQueues({ plugins, logger: testLogger(), initial });
  hubs.push(opened);
  return opened;
}

describe('a plugin written only to the documented interface', () => {
  it('registers, becomes active, takes over subscriptions and schedules, and receives the proxy calls', async () => {
    const h = hub({ pluginId: 'memory', config: { configVersion: 3, delayMultiplier: 0.01 } });
    expect(h.plugins.getPlugin('sorted-set')).toBeInstanceOf(SortedSetQueuePlugin);
    expect(h.plugins.getPlugins().map((p) => p.id)).toEqual(['memory', 'sorted-set']);
    const queue = h.getQueue<{ label: string }>('reports');
    const seen: Array<{ label: string; group: string }> = [];
    await queue.consume(async (job, context) => void seen.push({ label: job.data.label, group: context.consumerGroup }), { consumerGroup: 'writers', maxRetries: 1 });
    await queue.scheduleRecurring('digest', { label: 'tick' }, 3_600);
    await queue.enqueue({ label: 'before' });
    await waitFor(() => seen.length === 1, 'the job on the memory backend');

    const config = sortedSetConfig();
    await h.setActiveBackend('sorted-set', config);
    expect(h.getActivePlugin()).toBe('sorted-set');
    expect(h.getQueue('reports')).toBe(queue);

    // The replayed schedule lives in the plugin's Redis keys.
    expect(await client.hexists(`${config.prefix}:reports:recurring`, 'digest')).toBe(1);
    expect(await queue.listRecurringJobs()).toEqual(['digest']);
    expect(await queue.getRecurringJobDetails('digest')).toMatchObject({ jobId: 'digest', queue: 'reports', data: { label: 'tick' }, schedule: { kind: 'interval', intervalSeconds: 3_600 } });
    expect((await h.listAllRecurringJobs()).map((r) => [r.queue, r.jobId])).toEqual([['reports', 'digest']]);

    // The replayed subscription consumes what is enqueued through the proxy.
    const id = await queue.enqueue({ label: 'after' }, { priority: 5, jobId: 'report:1' });
    expect(id).toBe('report:1');
    expect(await queue.enqueue({ label: 'duplicate' }, { jobId: 'report:1' })).toBe('report:1');
    await waitFor(() => seen.length === 2, 'the job on the plugin');
    expect(seen[1]).toEqual({ label: 'after', group: 'writers' });
    await waitFor(async () => (await queue.getStats()).completed === 1, 'the completion counted by the plugin');
    expect(await queue.getStats()).toEqual({ pending: 0, processing: 0, completed: 1, failed: 0, consumerGroups: 1 });
    expect(await client.hget(`${config.prefix}:reports:stats`, 'completed')).toBe('1');
    expect(await h.getInFlightJobCount()).toBe(0);
    await expect(queue.testConnection()).resolves.toBeUndefined();

    await queue.cancelRecurring('digest');
    expect(await queue.listRecurringJobs()).toEqual([]);

    // And back: the product's backend takes the subscription again.
    await h.setActiveBackend('memory', { configVersion: 3, delayMultiplier: 0.01 });
    await queue.enqueue({ label: 'back' });
    await waitFor(() => seen.length === 3, 'the job after switching back');
  });

  it('runs the documented behaviour through the proxy: priority, start delay, recurring from startDelay 0, retries', async () => {
    const h = hub({ pluginId: 'sorted-set', config: sortedSetConfig() });
    const queue = h.getQueue<{ label: string; fail?: boolean }>('documented');
    await queue.enqueue({ label: 'routine' }, { priority: 1 });
    await queue.enqueue({ label: 'user' }, { priority: 100 });
    await queue.enqueue({ label: 'tomorrow' }, { startDelay: 86_400 }); // 864 s scaled by 0.01
    const order: string[] = [];
    const failures: number[] = [];
    await queue.consume(
      async (job) => {
        order.push(job.data.label);
        if (job.data.fail) {
          failures.push(Date.now());
          throw new Error('refused');
        }
      },
      { consumerGroup: 'exports', maxRetries: 3, concurrency: 1 },
    );
    await waitFor(() => order.length === 2, 'both ready jobs');
    expect(order).toEqual(['user', 'routine']);
    expect((await queue.getStats()).pending).toBe(1);

    await queue.scheduleRecurring('health', { label: 'check' }, 3_600, { startDelay: 0 });
    await waitFor(() => order.includes('check'), 'the first run, at once');

    await queue.enqueue({ label: 'flaky', fail: true });
    await waitFor(async () => (await queue.getStats()).failed === 1, 'the job failed after its retries', 10_000);
    expect(failures).toHaveLength(4);
    // 2, 4, 8 s scaled by 0.01 (the plugin polls every 10 ms).
    [20, 40, 80].forEach((ms, i) => expect(failures[i + 1] - failures[i]).toBeGreaterThanOrEqual(ms - 2));
  });

  it('refuses what the plain backend cannot do with QueueCapabilityError, before changing anything', async () => {
    const h = hub({ pluginId: 'sorted-set', config: sortedSetConfig() });
    const queue = h.getQueue<{ n: number }>('plain');
    const refusals: Array<[string, () => unknown]> = [
      ['pause()', () => queue.pause()],
      ['resume()', () => queue.resume()],
      ['isPaused()', () => queue.isPaused()],
      ['metrics()', () => queue.metrics()],
      ['the enqueue option "lifo"', () => queue.enqueue({ n: 1 }, { lifo: true })],
      ['cron schedules (give intervalSeconds as a number)', () => queue.scheduleRecurring('c', { n: 1 }, { cron: '* * * * *' })],
      ['the scheduleRecurring option "priority"', () => queue.scheduleRecurring('p', { n: 1 }, 60, { priority: 5 })],
    ];
    for (const [capability, call] of refusals) {
      const error = await Promise.resolve()
        .then(call)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(QueueCapabilityError);
      expect(error).toMatchObject({ code: 'QUEUE_CAPABILITY_MISSING', pluginId: 'sorted-set', capability });
    }
    expect(() => queue.pauseLocal()).toThrow(QueueCapabilityError);
    expect(() => queue.resumeLocal()).toThrow(/does not support resumeLocal\(\)/);
    expect(await queue.getStats()).toMatchObject({ pending: 0, consumerGroups: 0 });
    expect(await queue.listRecurringJobs()).toEqual([]);
    // Polling control is the backend's own: the manager's calls do not fail on it.
    h.stopPolling();
    h.startPolling(50);
  });

  it('refuses a switch onto it while a queue holds a cron schedule, and stays where it was', async () => {
    const h = hub({ pluginId: 'memory', config: { configVersion: 3, delayMultiplier: 0.01 } });
    const queue = h.getQueue<{ n: number }>('cron-held');
    await queue.scheduleRecurring('nightly', { n: 1 }, { cron: '0 3 * * *' });
    await expect(h.setActiveBackend('sorted-set', sortedSetConfig())).rejects.toBeInstanceOf(QueueCapabilityError);
    expect(h.getActivePlugin()).toBe('memory');
    expect(await queue.getRecurringJobDetails('nightly')).toMatchObject({ schedule: { kind: 'cron', expression: '0 3 * * *' } });
  });

  it('gives handlers a context anyway: progress reaches local listeners, concurrency is enforced, the group is named', async () => {
    const h = hub({ pluginId: 'sorted-set', config: sortedSetConfig() });
    const queue = h.getQueue<{ n: number }>('context');
    const events: ProgressEvent[] = [];
    const unsubscribe = queue.onProgress((event) => events.push(event));
    let running = 0;
    let most = 0;
    await queue.consume(
      async (job, context) => {
        running += 1;
        most = Math.max(most, running);
        await context.reportProgress(job.data.n * 10);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
      },
      { consumerGroup: 'reporters', concurrency: 1 },
    );
    const ids = [await queue.enqueue({ n: 1 }), await queue.enqueue({ n: 2 }), await queue.enqueue({ n: 3 })];
    await waitFor(() => events.length === 3, 'three progress events');
    expect(events).toEqual(ids.map((jobId, i) => ({ queue: 'context', jobId, consumerGroup: 'reporters', progress: (i + 1) * 10 })));
    expect(most).toBe(1);
    unsubscribe();
    await queue.enqueue({ n: 4 });
    await waitFor(async () => (await queue.getStats()).completed === 4, 'the fourth job');
    await holdsThroughout(() => events.length === 3, 'no event after unsubscribing', 100);
  });

  it('testConnection rejects with QueueConnectionError when its Redis does not answer', async () => {
    const own = new LocalRedisServer();
    await own.start();
    const h = hub({ pluginId: 'sorted-set', config: sortedSetConfig(own.port) });
    const queue = h.getQueue<{ n: number }>('connection');
    await expect(queue.testConnection()).resolves.toBeUndefined();
    await own.kill();
    const error = await queue.testConnection().then(
      () => undefined,
      (e: unknown) => e,
    );
    await own.stop();
    expect(error).toBeInstanceOf(QueueConnectionError);
    expect(error).toMatchObject({ code: 'QUEUE_CONNECTION_FAILED', queue: 'connection', pluginId: 'sorted-set' });
  });
});
