/**
 * What the second copy of the named-queue documentation (seeds/002) adds to, or words differently
 * from, seeds/000 (covered in doc-000-named-queues.test.ts): the InMemoryQueue's logger and
 * heartbeat, wall-clock recurring intervals and replacing a schedule, the access-rule sync pattern,
 * and consumers set up in `afterPluginsReady` with the object form of scheduleRecurring.
 */
import { InMemoryQueue, memoryQueueConfigSchema, type QueueManager } from '../../src';
import { waitFor } from '../support/wait-for';
import { ExampleWorld } from './support/example-world';
import { PermissionCache, freshNamedQueuePerTest, namedQueueManager, type AccessRuleSyncData } from './support/pattern-fixtures';

const world = new ExampleWorld('doc_002');
let queueManager: QueueManager;
let name: string;
freshNamedQueuePerTest(world, 'doc002', (manager, queueName) => {
  queueManager = manager;
  name = queueName;
});

describe('seeds/002: Example 1: InMemoryQueue Reference Implementation', () => {
  test('Configuration: heartbeatIntervalMs recovers jobs after sleep/wake (default 5000, 0 disables)', () => {
    expect(memoryQueueConfigSchema.parse({})).toMatchObject({ concurrency: 10, maxQueueSize: 10_000, delayMultiplier: 1, heartbeatIntervalMs: 5000 });
    expect(memoryQueueConfigSchema.parse({ heartbeatIntervalMs: 0 })).toMatchObject({ heartbeatIntervalMs: 0 });
  });

  test('The InMemoryQueue constructor takes a Logger', async () => {
    type MyJobData = { orderId: string };
    const logger = world.logger;

    const queue = new InMemoryQueue<MyJobData>(
      'my-queue-name',
      {
        concurrency: 10,
        maxQueueSize: 100,
        heartbeatIntervalMs: 5000,
      },
      logger // Required: Logger instance for debug/error output
    );
    world.onStop(() => queue.stop());

    const seen: string[] = [];
    await queue.consume(async (job) => void seen.push(job.data.orderId), { consumerGroup: 'orders' });
    await queue.enqueue({ orderId: 'o-1' });
    await waitFor(() => seen.length === 1, 'the job');
    expect(seen).toEqual(['o-1']);
  });
});

describe('seeds/002: Recurring jobs', () => {
  test('Fixed wall-clock timing: runs start on the interval even while earlier runs are still going', async () => {
    const queue = queueManager.getQueue<{ check: string }>(name);
    const starts: number[] = [];
    let running = 0;
    let maxRunning = 0;
    let thirdStarted!: () => void;
    const third = new Promise<void>((resolve) => (thirdStarted = resolve));
    await queue.consume(async () => {
      starts.push(Date.now());
      if (starts.length >= 3) thirdStarted();
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      // Each run outlasts the interval (20 s × 0.01 = 200 ms): it holds until the third run started.
      await third;
      running -= 1;
    }, { consumerGroup: 'checks', maxRetries: 0, concurrency: 10 });
    await queue.scheduleRecurring('overlap', { check: 'slow' }, 20, { startDelay: 0 });
    await waitFor(() => starts.length >= 3, 'three runs');
    expect(maxRunning).toBeGreaterThanOrEqual(2); // potential overlap
    const gaps = starts.slice(1, 3).map((at, i) => at - starts[i]);
    for (const gap of gaps) expect(gap).toBeLessThan(550); // not waiting for the previous run to finish
  });

  test('Configuration updates: scheduleRecurring with an existing jobId replaces the schedule', async () => {
    const queue = queueManager.getQueue<{ version: number }>(name);
    await queue.scheduleRecurring('report', { version: 1 }, 3600, { startDelay: 3600 });
    await queue.scheduleRecurring('report', { version: 2 }, 7200, { startDelay: 7200 });
    const details = await queue.getRecurringJobDetails('report');
    expect(details).toMatchObject({ data: { version: 2 } });
    expect(JSON.stringify(details)).toContain('7200');
    expect(await queue.listRecurringJobs()).toEqual(['report']);
  });
});

describe('seeds/002: Pattern 2: Distributed Access Rule Sync', () => {
  test('every instance refreshes its access cache', async () => {
    const caches: PermissionCache[] = [];
    // differs: the block runs in three application instances; the trigger in the last one
    for (const instanceId of ['api-1', 'api-2', 'api-3']) {
      const queueManager = instanceId === 'api-1' ? globalQueueManager() : await namedQueueManager(world, name);
      const accessCache = new PermissionCache();
      caches.push(accessCache);

      // Broadcast pattern - all instances must sync
      const queue = queueManager.getQueue<AccessRuleSyncData>('access-sync');
      await queue.consume(async (job) => {
        const { userId, roles } = job.data;
        // Update local access cache
        await accessCache.refresh(userId, roles);
      }, {
        consumerGroup: `access-sync:${instanceId}`, // Unique per instance = broadcast
        maxRetries: 3,
      });

      if (instanceId === 'api-3') {
        // Trigger sync from one instance
        await queue.enqueue({ userId: '123', roles: ['admin', 'editor'] });
        // All instances receive and process this
      }
    }

    await waitFor(() => caches.every((cache) => cache.roles.has('123')), 'every instance');
    expect(caches.map((cache) => cache.roles.get('123'))).toEqual([['admin', 'editor'], ['admin', 'editor'], ['admin', 'editor']]);
  });
});

describe('seeds/002: Queue consumers in afterPluginsReady', () => {
  test('Recommended pattern: consumers, integration events, signals and a recurring job', async () => {
    type MyJobPayload = { orderId?: string };
    const emitted: Array<{ hook: string; payload: unknown }> = [];
    const signals: Array<{ signal: string; payload: unknown }> = [];
    const myHooks = { jobCompleted: 'my-plugin.job-completed' };
    const MY_JOB_COMPLETED = 'my-plugin.signal.job-completed';
    const emitHook = async (hook: string, payload: unknown) => void emitted.push({ hook, payload });
    const signalService = { broadcast: async (signal: string, payload: unknown) => void signals.push({ signal, payload }) };
    const processJob = async (data: MyJobPayload) => ({ processed: data.orderId ?? 'recurring' });

    // differs: env.registerInit and its lifecycle belong to the document's host framework; the
    // afterPluginsReady body runs as written with the dependencies it names
    const afterPluginsReady = async ({ queueManager, signalService, emitHook }: {
      queueManager: QueueManager;
      signalService: typeof signalServiceDep;
      emitHook: typeof emitHookDep;
    }) => {
      // Phase 3: Set up queue consumers and schedule recurring jobs
      const queue = queueManager.getQueue<MyJobPayload>('my-queue');
      // Consumer has access to emitHook for integration events
      await queue.consume(
        async (job) => {
          // Process job...
          const result = await processJob(job.data);
          // Emit integration event (only available in afterPluginsReady!)
          await emitHook(myHooks.jobCompleted, {
            jobId: job.id,
            result,
          });
          // Send real-time signal
          await signalService.broadcast(MY_JOB_COMPLETED, { jobId: job.id });
        },
        {
          consumerGroup: 'my-worker',
          maxRetries: 3,
        }
      );
      // Schedule recurring job
      await queue.scheduleRecurring({}, {
        jobId: 'my-recurring-job',
        intervalSeconds: 60,
      });
    };
    const signalServiceDep = signalService;
    const emitHookDep = emitHook;

    await afterPluginsReady({ queueManager, signalService, emitHook });

    const queue = queueManager.getQueue<MyJobPayload>('my-queue');
    expect((await queue.getRecurringJobDetails('my-recurring-job'))).toBeDefined();
    await queue.enqueue({ orderId: 'o-9' });
    await waitFor(() => emitted.some((e) => (e.payload as { result: { processed: string } }).result.processed === 'o-9'), 'the integration event');
    expect(emitted.every((e) => e.hook === myHooks.jobCompleted)).toBe(true);
    expect(signals.length).toBeGreaterThanOrEqual(1);
    expect(signals.every((s) => s.signal === MY_JOB_COMPLETED)).toBe(true);
    // 60 s × 0.01: the recurring job runs too.
    await waitFor(() => emitted.some((e) => (e.payload as { result: { processed: string } }).result.processed === 'recurring'), 'a recurring run');
  });
});

function globalQueueManager(): QueueManager {
  return queueManager;
}
