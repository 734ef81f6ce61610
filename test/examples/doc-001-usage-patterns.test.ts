/**
 * The usage patterns of the named-queue API (seeds/001), each as written (free variables from the
 * setup: `queueManager`, `instanceId`, `runHealthCheck`, `saveHealthCheckResult`,
 * `permissionCache`, `generateExport`, `sendExportReady`, `userId`, `systemIds`, `allIds`,
 * `data`, `newData`, `newerData`), then its key points.
 */
import type { QueueManager } from '../../src';
import { holdsThroughout, waitFor } from '../support/wait-for';
import { ExampleWorld } from './support/example-world';
import {
  PermissionCache,
  exports,
  healthChecks,
  freshNamedQueuePerTest,
  namedQueueManager,
  type ExportJob,
  type HealthCheckData,
  type PermissionSyncData,
} from './support/pattern-fixtures';

const world = new ExampleWorld('doc_001');
let queueManager: QueueManager;
let name: string;
freshNamedQueuePerTest(world, 'doc001', (manager, queueName) => {
  queueManager = manager;
  name = queueName;
});

describe('seeds/001: Queue Usage Patterns', () => {
  test('Pattern 1: Periodic Health Checks (Recurring Jobs)', async () => {
    const { runHealthCheck, saveHealthCheckResult, saved } = healthChecks();
    // A second instance consuming the same group: each run goes to one of them only.
    const otherInstance = await namedQueueManager(world, name);
    const runIds: string[] = [];

    // Schedule a recurring health check
    async function scheduleHealthCheck(
      queueManager: QueueManager,
      configId: string,
      systemId: string,
      intervalSeconds: number
    ) {
      const queue = queueManager.getQueue<HealthCheckData>('health-checks');
      
      // Deterministic job ID for deduplication
      const jobId = `healthcheck:${configId}:${systemId}`;
      
      // Queue handles rescheduling automatically
      await queue.scheduleRecurring(
        jobId,
        { configId, systemId },
        intervalSeconds,
        { startDelay: 0 } // Run immediately first time
      );
    }

    // differs: the consumer block runs in two application instances, to show the work-queue mode
    for (const queueManager of [otherInstance, globalQueueManager()]) {
      // Consumer (work-queue mode - one instance per check)
      const queue = queueManager.getQueue<HealthCheckData>('health-checks');
      await queue.consume(async (job) => {
        runIds.push(job.id); // differs: records the run's id, so the test can check each run happens once
        const { configId, systemId } = job.data;
        const result = await runHealthCheck(configId, systemId);
        await saveHealthCheckResult(systemId, result);
        // No manual reschedule needed!
      }, {
        consumerGroup: 'health-checks',  // Shared = work queue
        maxRetries: 0,                    // Next interval handles failures
      });
    }

    await scheduleHealthCheck(queueManager, 'config-1', 'system-1', 30);
    await scheduleHealthCheck(otherInstance, 'config-1', 'system-1', 30); // same id from another instance

    // Automatic rescheduling: 30 s × 0.01 per run, the first at once.
    await waitFor(() => saved.length >= 4, 'four health check runs');
    // Deterministic job ids prevent duplicates: one schedule, and each run happens once.
    expect(await queueManager.getQueue<HealthCheckData>('health-checks').listRecurringJobs()).toEqual(['healthcheck:config-1:system-1']);
    expect(new Set(runIds).size).toBe(runIds.length);
    expect(saved.every((s) => s.systemId === 'system-1' && s.result.configId === 'config-1')).toBe(true);
  });

  test('Pattern 2: Distributed Cache Sync (Broadcast)', async () => {
    const caches: PermissionCache[] = [];
    // differs: the block runs in three application instances (api-1..3); the trigger in the last one
    for (const instanceId of ['api-1', 'api-2', 'api-3']) {
      const queueManager = instanceId === 'api-1' ? globalQueueManager() : await namedQueueManager(world, name);
      const permissionCache = new PermissionCache();
      caches.push(permissionCache);

      // Unique consumer group per instance = broadcast
      const queue = queueManager.getQueue<PermissionSyncData>('permission-sync');

      await queue.consume(async (job) => {
        const { userId, roles } = job.data;
        await permissionCache.refresh(userId, roles);
      }, {
        consumerGroup: `permission-sync:${instanceId}`, // Unique!
        maxRetries: 3,
      });

      if (instanceId === 'api-3') {
        // Trigger sync (all instances receive)
        await queue.enqueue({ userId: '123', roles: ['admin'] });
      }
    }
    const queue = queueManager.getQueue<PermissionSyncData>('permission-sync');

    // Every instance receives every message.
    await waitFor(() => caches.every((cache) => cache.roles.has('123')), 'every instance to refresh');
    expect(caches.map((cache) => cache.roles.get('123'))).toEqual([['admin'], ['admin'], ['admin']]);
    expect((await queue.getStats()).completed).toBe(3);
  });

  test('Pattern 3: Background Jobs with Priority', async () => {
    const { generateExport, sendExportReady, ready } = exports();
    const userId = 'user-42';
    const systemIds = ['sys-1'];
    const allIds = ['sys-1', 'sys-2', 'sys-3'];
    // Routine exports already waiting: the user's export must jump ahead of them.
    const backlog = queueManager.getQueue<ExportJob>('exports');
    for (let n = 0; n < 3; n += 1) await backlog.enqueue({ userId: `routine-${n}`, systemIds: allIds, format: 'csv' }, { priority: 10 });
    backlog.pauseLocal();

    const queue = queueManager.getQueue<ExportJob>('exports');

    await queue.consume(async (job) => {
      const { userId, systemIds, format } = job.data;
      const filePath = await generateExport(systemIds, format);
      await sendExportReady(userId, filePath);
    }, {
      consumerGroup: 'exports',
      maxRetries: 3,
      concurrency: 1, // differs: one at a time, so the order of processing is observable
    });

    // User-triggered = high priority
    await queue.enqueue(
      { userId, systemIds, format: 'csv' },
      { priority: 100 }
    );

    // Background task = low priority
    await queue.enqueue(
      { userId: 'system', systemIds: allIds, format: 'csv' },
      { priority: 1 }
    );

    backlog.resumeLocal();
    await waitFor(() => ready.length === 5, 'all five exports');
    // Higher priority number = processed first.
    expect(ready.map((r) => r.userId)).toEqual(['user-42', 'routine-0', 'routine-1', 'routine-2', 'system']);
    expect(ready[0].filePath).toBe('/exports/sys-1.csv');
  });

  test('Pattern 4: Delayed Execution', async () => {
    const queue = queueManager.getQueue<{ userId: string; type?: string; attempt?: number }>(name);
    const runs: Array<{ data: unknown; at: number }> = [];
    await queue.consume(async (job) => void runs.push({ data: job.data, at: Date.now() }), { consumerGroup: 'reminders' });
    const userId = 'user-7';
    const data = { userId, attempt: 2 };
    const start = Date.now();

    // Send reminder email in 24 hours
    await queue.enqueue(
      { userId, type: 'reminder' },
      { startDelay: 86400 } // seconds
    );

    // Rate-limited retries
    await queue.enqueue(data, { 
      startDelay: 60,  // Wait 1 minute
      priority: 5 
    });

    // With the test's delayMultiplier 0.01: 60 s → 600 ms; 24 h → 14.4 min, still waiting.
    await holdsThroughout(() => runs.length === 0, 'nothing runs before its delay', 300);
    await waitFor(() => runs.length === 1, 'the 1-minute job');
    expect(runs[0].data).toEqual(data);
    expect(runs[0].at - start).toBeGreaterThanOrEqual(540);
    expect((await queue.metrics()).delayed).toBe(1);
  });

  test('Pattern 5: Job Deduplication', async () => {
    const queue = queueManager.getQueue<{ userId: string; data: { version: number } }>(name);
    const runs: Array<{ id: string; version: number }> = [];
    queue.pauseLocal();
    await queue.consume(async (job) => void runs.push({ id: job.id, version: job.data.data.version }), { consumerGroup: 'sync' });
    const newData = { version: 1 };
    const newerData = { version: 2 };

    // Only one sync per user at a time
    const first = await queue.enqueue(
      { userId: '123', data: newData },
      { jobId: `sync:user:123` }
    );

    // Second call returns existing job ID (no duplicate)
    const second = await queue.enqueue(
      { userId: '123', data: newerData },
      { jobId: `sync:user:123` }
    );

    expect(first).toBe('sync:user:123');
    expect(second).toBe(first);
    queue.resumeLocal();
    await waitFor(() => runs.length === 1, 'the one sync');
    await holdsThroughout(() => runs.length === 1, 'no duplicate runs', 300);
    expect(runs).toEqual([{ id: 'sync:user:123', version: 1 }]);
  });
});

function globalQueueManager(): QueueManager {
  return queueManager;
}
