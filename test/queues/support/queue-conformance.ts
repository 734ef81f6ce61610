/**
 * The conformance suite of the named-queue API: every backend (QueuePlugin) must pass it.
 * A fixture opens a fresh world per test (its own database, key namespace, or memory) and
 * says how to run a consumer "elsewhere": another process for the engine, another consumer
 * in this process for the in-memory backend (which cannot span processes).
 */
import { ConfigError, InvalidJobOptionsError } from '../../../src/errors';
import type { DeliveredJob, ProgressEvent, QueueJobContext } from '../../../src/queue-api/queue-api';
import type { StoredPluginConfig } from '../../../src/queue-api/queue-plugin';
import type { NamedQueueHost } from '../../../src/manager/named-queue-host';
import { QueueStoppedError } from '../../../src/queues/queue-errors';
import { holdsThroughout, waitFor } from '../../support/wait-for';

/** What the suite drives: QueueManager and NamedQueues both offer these. */
export interface QueueHub extends Omit<NamedQueueHost, 'names'> {
  /** The engine's progress subscriber: resolves once subscriptions are active. */
  readonly progressFeed?: { ready(): Promise<void> };
}

export interface FixtureJob {
  label?: string;
  holdMs?: number;
  progress?: boolean;
}

/** A consumer running elsewhere; `runs` fills as it reports. */
export interface RemoteConsumer {
  runs: Array<{ id: string; label?: string; group: string; consumer: string }>;
  stop(): Promise<void>;
}

export interface QueueBackendFixture {
  pluginId: string;
  /** The config the suite's hubs run with: fast polling, delayMultiplier 0.05. */
  config: StoredPluginConfig;
  /** A config at version 1 for this plugin and what it must become. */
  legacyConfig: { stored: StoredPluginConfig; check(): void };
  /** Another plugin id to switch to (and its config). */
  switchTarget: { pluginId: string; config: StoredPluginConfig };
  /** Opens a new world; a second call in one test opens another hub onto the same world (a second "process"). */
  openHub(): Promise<QueueHub>;
  /** Starts a consumer of `queue` in `group` outside this hub (another process where the backend allows). */
  remoteConsumer(hub: QueueHub, queue: string, group: string): Promise<RemoteConsumer>;
  /** Whether remote consumers live in other processes. */
  crossProcess: boolean;
  /** Resets the world between tests. */
  reset(): Promise<void>;
}

/** Scale of the fixture configs: 1 s of API time is 50 ms of test time. */
const SCALE = 0.05;

export function describeQueueConformance(fixture: QueueBackendFixture): void {
  const hubs: QueueHub[] = [];
  const remotes: RemoteConsumer[] = [];

  async function hub(): Promise<QueueHub> {
    const opened = await fixture.openHub();
    hubs.push(opened);
    return opened;
  }

  afterEach(async () => {
    await Promise.all(remotes.splice(0).map((r) => r.stop()));
    await Promise.all(hubs.splice(0).map((h) => h.shutdown(1_000)));
    await fixture.reset();
  });

  function recorder<T>(sink: Array<DeliveredJob<T> & { group: string }>, behaviour?: (job: DeliveredJob<T>, context: QueueJobContext) => Promise<void>) {
    return async (job: DeliveredJob<T>, context: QueueJobContext) => {
      sink.push({ ...job, group: context.consumerGroup });
      await behaviour?.(job, context);
    };
  }

  describe(`named-queue conformance: ${fixture.pluginId}`, () => {
    test('enqueue and consume: the handler receives id, data, priority, timestamp and attempts', async () => {
      const h = await hub();
      const queue = h.getQueue<{ n: number }>('basic');
      const before = Date.now();
      const id = await queue.enqueue({ n: 1 }, { priority: 7 });
      const own = await queue.enqueue({ n: 2 }, { jobId: 'basic:2' });
      expect(own).toBe('basic:2');
      const seen: Array<DeliveredJob<{ n: number }> & { group: string }> = [];
      await queue.consume(recorder(seen), { consumerGroup: 'workers' });
      await waitFor(() => seen.length === 2, 'both jobs');
      const first = seen.find((j) => j.id === id);
      expect(first).toMatchObject({ id, data: { n: 1 }, priority: 7, attempts: 1, group: 'workers' });
      expect(first!.timestamp).toBeInstanceOf(Date);
      expect(first!.timestamp.getTime()).toBeGreaterThanOrEqual(before - 5);
      expect(seen.find((j) => j.id === 'basic:2')?.data).toEqual({ n: 2 });
      await waitFor(async () => (await queue.getStats()).completed === 2, 'completed count');
      await expect(queue.testConnection()).resolves.toBeUndefined();
    });

    test('bad input is refused with a typed error and enqueues nothing', async () => {
      const h = await hub();
      const queue = h.getQueue<{ n: number }>('invalid');
      await expect(queue.enqueue({ n: 1 }, { priority: 101 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
      await expect(queue.enqueue({ n: 1 }, { priority: 1.5 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
      await expect(queue.enqueue({ n: 1 }, { startDelay: -1 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
      await expect(queue.enqueue({ n: 1 }, { jobId: 'has space' })).rejects.toBeInstanceOf(InvalidJobOptionsError);
      await expect(queue.consume(async () => undefined, { consumerGroup: '' })).rejects.toBeInstanceOf(InvalidJobOptionsError);
      await expect(queue.scheduleRecurring('r', { n: 1 }, 0)).rejects.toBeInstanceOf(InvalidJobOptionsError);
      await expect(queue.scheduleRecurring('r', { n: 1 }, { cron: 'not a cron' })).rejects.toBeInstanceOf(InvalidJobOptionsError);
      expect(() => h.getQueue('bad name!')).toThrow(InvalidJobOptionsError);
      expect(await queue.getStats()).toEqual({ pending: 0, processing: 0, completed: 0, failed: 0, consumerGroups: 0, groups: [] });
      expect(await queue.listRecurringJobs()).toEqual([]);
    });

    test('priority order: 1@5, 2@10, 3@1 run as 2, 1, 3; FIFO within a priority, LIFO when asked', async () => {
      const h = await hub();
      const queue = h.getQueue<{ label: string }>('priority');
      await queue.enqueue({ label: '1' }, { priority: 5 });
      await queue.enqueue({ label: '2' }, { priority: 10 });
      await queue.enqueue({ label: '3' }, { priority: 1 });
      const seen: Array<DeliveredJob<{ label: string }> & { group: string }> = [];
      await queue.consume(recorder(seen), { consumerGroup: 'one', concurrency: 1 });
      await waitFor(() => seen.length === 3, 'three jobs');
      expect(seen.map((j) => j.data.label)).toEqual(['2', '1', '3']);

      const ordered = h.getQueue<{ label: string }>('fifo');
      for (const label of ['a', 'b', 'c', 'd']) await ordered.enqueue({ label }, { priority: 3 });
      await ordered.enqueue({ label: 'late-lifo-1' }, { priority: 3, lifo: true });
      await ordered.enqueue({ label: 'late-lifo-2' }, { priority: 3, lifo: true });
      const order: string[] = [];
      await ordered.consume(async (job) => void order.push(job.data.label), { consumerGroup: 'one', concurrency: 1 });
      await waitFor(() => order.length === 6, 'six jobs');
      expect(order).toEqual(['late-lifo-2', 'late-lifo-1', 'a', 'b', 'c', 'd']);
    });

    test('delayed jobs wait for startDelay (scaled), then run; metrics count them as delayed meanwhile', async () => {
      const h = await hub();
      const queue = h.getQueue<{ label: string }>('delayed');
      const ran: Array<{ label: string; at: number }> = [];
      await queue.consume(async (job) => void ran.push({ label: job.data.label, at: Date.now() }), { consumerGroup: 'g' });
      const enqueuedAt = Date.now();
      await queue.enqueue({ label: 'later' }, { startDelay: 10 }); // 10 s × 0.05 = 500 ms
      expect((await queue.metrics()).delayed).toBe(1);
      await queue.enqueue({ label: 'now' });
      await waitFor(() => ran.length === 2, 'both jobs', 10_000);
      expect(ran.map((r) => r.label)).toEqual(['now', 'later']);
      expect(ran[1].at - enqueuedAt).toBeGreaterThanOrEqual(10 * 1000 * SCALE - 5);
      expect(await queue.metrics()).toMatchObject({ delayed: 0, waiting: 0, active: 0 });
    });

    test('dedup by jobId: a second enqueue returns the existing id and adds nothing', async () => {
      const h = await hub();
      const queue = h.getQueue<{ v: number }>('dedup');
      const first = await queue.enqueue({ v: 1 }, { jobId: 'export:123' });
      const second = await queue.enqueue({ v: 2 }, { jobId: 'export:123' });
      expect([first, second]).toEqual(['export:123', 'export:123']);
      expect((await queue.getStats()).pending).toBe(1);
      const seen: Array<DeliveredJob<{ v: number }> & { group: string }> = [];
      await queue.consume(recorder(seen), { consumerGroup: 'g' });
      await waitFor(async () => (await queue.getStats()).completed === 1, 'one completion');
      expect(await queue.enqueue({ v: 3 }, { jobId: 'export:123' })).toBe('export:123');
      expect(seen.map((j) => j.data)).toEqual([{ v: 1 }]);
      expect((await queue.getStats()).completed).toBe(1);
    });

    test(`work queue: consumers of one group share the jobs${fixture.crossProcess ? ' across two processes' : ''}, each job runs once`, async () => {
      const h = await hub();
      const queue = h.getQueue<FixtureJob>('work');
      const local: Array<DeliveredJob<FixtureJob> & { group: string }> = [];
      await queue.consume(recorder(local, () => new Promise((r) => setTimeout(r, 15))), { consumerGroup: 'workers', concurrency: 1 });
      const remote = await fixture.remoteConsumer(h, 'work', 'workers');
      remotes.push(remote);
      const ids: string[] = [];
      for (let i = 0; i < 30; i += 1) ids.push(await queue.enqueue({ label: `w${i}`, holdMs: 15 }));
      await waitFor(() => local.length + remote.runs.length >= 30, 'thirty runs', 20_000);
      await waitFor(async () => (await queue.getStats()).completed === 30, 'thirty completions');
      const all = [...local.map((j) => j.id), ...remote.runs.map((r) => r.id)];
      expect(all.sort()).toEqual([...ids].sort());
      expect(local.length).toBeGreaterThan(0);
      expect(remote.runs.length).toBeGreaterThan(0);
    });

    test(`broadcast: each consumer group receives every job${fixture.crossProcess ? ' (one group in another process)' : ''}`, async () => {
      const h = await hub();
      const queue = h.getQueue<FixtureJob>('fanout');
      const local: Array<DeliveredJob<FixtureJob> & { group: string }> = [];
      await queue.consume(recorder(local), { consumerGroup: 'cache-a' });
      const remote = await fixture.remoteConsumer(h, 'fanout', 'cache-b');
      remotes.push(remote);
      await waitFor(async () => (await queue.getStats()).consumerGroups === 2, 'both groups registered');
      const ids: string[] = [];
      for (let i = 0; i < 10; i += 1) ids.push(await queue.enqueue({ label: `f${i}` }));
      await waitFor(() => local.length === 10 && remote.runs.length === 10, 'every job in both groups', 20_000);
      expect(local.map((j) => j.id).sort()).toEqual([...ids].sort());
      expect(remote.runs.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(new Set(remote.runs.map((r) => r.group))).toEqual(new Set(['cache-b']));
      const stats = await waitFor(async () => {
        const s = await queue.getStats();
        return s.completed === 20 ? s : null;
      }, 'twenty deliveries completed');
      expect(stats.groups!.map((g) => [g.name, g.completed])).toEqual([
        ['cache-a', 10],
        ['cache-b', 10],
      ]);
    });

    test('per-group isolation and retries: one group failing never affects another; retries back off, then fail', async () => {
      const h = await hub();
      const queue = h.getQueue<{ label: string }>('isolation');
      const ok: string[] = [];
      const flakyAttempts = new Map<string, number[]>();
      const badAttempts: number[] = [];
      await queue.consume(async (job) => void ok.push(job.data.label), { consumerGroup: 'steady' });
      await queue.consume(
        async (job) => {
          const attempts = flakyAttempts.get(job.id) ?? [];
          attempts.push(Date.now());
          flakyAttempts.set(job.id, attempts);
          if (job.attempts < 3) throw new Error(`flaky attempt ${job.attempts}`);
        },
        { consumerGroup: 'flaky', maxRetries: 3 },
      );
      await queue.consume(
        async (job) => {
          badAttempts.push(job.attempts);
          throw new Error('always fails');
        },
        { consumerGroup: 'broken', maxRetries: 1 },
      );
      const id = await queue.enqueue({ label: 'x' });
      await waitFor(async () => {
        const s = await queue.getStats();
        const by = Object.fromEntries(s.groups!.map((g) => [g.name, g]));
        return by.steady?.completed === 1 && by.flaky?.completed === 1 && by.broken?.failed === 1;
      }, 'every group finished', 20_000);
      expect(ok).toEqual(['x']);
      expect(badAttempts).toEqual([1, 2]);
      const times = flakyAttempts.get(id)!;
      expect(times).toHaveLength(3);
      // 2^attempt × 1 s, scaled: ≥ 100 ms after attempt 1, ≥ 200 ms after attempt 2.
      expect(times[1] - times[0]).toBeGreaterThanOrEqual(2 * 1000 * SCALE - 10);
      expect(times[2] - times[1]).toBeGreaterThanOrEqual(4 * 1000 * SCALE - 10);
      const stats = await queue.getStats();
      expect(stats).toMatchObject({ pending: 0, processing: 0, completed: 2, failed: 1 });
    });

    test("a message's own attempts and backoff override its group's retries", async () => {
      const h = await hub();
      const queue = h.getQueue<{ label: string }>('own-retries');
      const attempts = new Map<string, number[]>();
      await queue.consume(
        async (job) => {
          attempts.set(job.data.label, [...(attempts.get(job.data.label) ?? []), Date.now()]);
          throw new Error(`attempt ${job.attempts} fails`);
        },
        { consumerGroup: 'g', maxRetries: 0 },
      );
      await queue.enqueue({ label: 'fixed' }, { attempts: 3, backoff: { type: 'fixed', delaySeconds: 4 } }); // 200 ms scaled
      await queue.enqueue({ label: 'exp' }, { attempts: 3, backoff: { type: 'exponential', delaySeconds: 2 } }); // 100 then 200 ms
      await queue.enqueue({ label: 'group' });
      await waitFor(async () => (await queue.metrics()).failed === 3, 'three messages failed for good', 20_000);
      expect(attempts.get('group')).toHaveLength(1);
      const fixed = attempts.get('fixed')!;
      const exp = attempts.get('exp')!;
      expect(fixed).toHaveLength(3);
      expect(exp).toHaveLength(3);
      expect(fixed[1] - fixed[0]).toBeGreaterThanOrEqual(4 * 1000 * SCALE - 10);
      expect(fixed[2] - fixed[1]).toBeGreaterThanOrEqual(4 * 1000 * SCALE - 10);
      expect(exp[1] - exp[0]).toBeGreaterThanOrEqual(2 * 1000 * SCALE - 10);
      expect(exp[2] - exp[1]).toBeGreaterThanOrEqual(4 * 1000 * SCALE - 10);
      await expect(queue.enqueue({ label: 'bad' }, { attempts: 0 })).rejects.toBeInstanceOf(InvalidJobOptionsError);
      await expect(queue.enqueue({ label: 'bad' }, { backoff: { type: 'linear' as 'fixed', delaySeconds: 1 } })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    });

    test('recurring on an interval: one job per tick with several hubs, replaced by id, cancelled', async () => {
      const a = await hub();
      const b = fixture.crossProcess ? await hub() : a;
      const queueA = a.getQueue<{ target: string }>('health');
      const queueB = b.getQueue<{ target: string }>('health');
      const runs: Array<{ id: string; target: string }> = [];
      await queueA.consume(async (job) => void runs.push({ id: job.id, target: job.data.target }), { consumerGroup: 'checks' });
      await queueA.scheduleRecurring('healthcheck:cfg:sys', { target: 'v1' }, 2, { startDelay: 0 }); // every 100 ms
      expect(await queueA.getRecurringJobDetails('healthcheck:cfg:sys')).toMatchObject({ jobId: 'healthcheck:cfg:sys', queue: 'health', schedule: { kind: 'interval', intervalSeconds: 2 }, runCount: 0 });
      await waitFor(() => runs.length >= 4, 'four ticks', 15_000);
      expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
      await queueB.scheduleRecurring('healthcheck:cfg:sys', { target: 'v2' }, 2);
      await waitFor(() => runs.some((r) => r.target === 'v2'), 'a run of the replacement', 15_000);
      expect(await queueA.listRecurringJobs()).toEqual(['healthcheck:cfg:sys']);
      const details = await queueA.getRecurringJobDetails('healthcheck:cfg:sys');
      expect(details?.data).toEqual({ target: 'v2' });
      // One enqueued job per tick: run count and distinct tick ids agree across both hubs.
      await waitFor(async () => (await queueA.getStats()).pending === 0 && (await queueA.getStats()).processing === 0, 'idle', 5_000).catch(() => undefined);
      await queueA.cancelRecurring('healthcheck:cfg:sys');
      expect(await queueA.getRecurringJobDetails('healthcheck:cfg:sys')).toBeUndefined();
      expect(await queueA.listRecurringJobs()).toEqual([]);
      await expect(queueA.cancelRecurring('healthcheck:cfg:sys')).resolves.toBeUndefined();
      expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    });

    test('recurring on a cron expression: one run per matching second with several hubs, listed with its next run', async () => {
      const h = await hub();
      const other = fixture.crossProcess ? await hub() : h;
      const queue = h.getQueue<{ k: string }>('cron');
      other.getQueue<{ k: string }>('cron'); // a second hub firing the same schedule
      const runs: string[] = [];
      await queue.consume(async (job) => void runs.push(job.id), { consumerGroup: 'c' });
      await queue.scheduleRecurring('every-second', { k: 'v' }, { cron: '* * * * * *' });
      const info = (await queue.getRecurringJobDetails('every-second'))!;
      expect(info.schedule).toEqual({ kind: 'cron', expression: '* * * * * *' });
      expect(info.nextRunAt.getTime()).toBeGreaterThan(Date.now() - 1_000);
      await waitFor(() => runs.length >= 3, 'three cron ticks', 10_000);
      const seconds = runs.map((id) => new Date(id.slice(id.indexOf('@') + 1)).getTime());
      expect(seconds.every((s) => s % 1000 === 0)).toBe(true);
      expect(new Set(seconds).size).toBe(seconds.length);
      expect((await h.listAllRecurringJobs()).map((r) => r.jobId)).toContain('every-second');
      const details = await queue.getRecurringJobDetails('every-second');
      expect(details!.runCount).toBeGreaterThanOrEqual(2);
    });

    test('backend switch keeps the same Queue object and replays its subscription and schedules', async () => {
      const h = await hub();
      const queue = h.getQueue<{ label: string }>('switching');
      const seen: string[] = [];
      await queue.consume(async (job) => void seen.push(job.data.label), { consumerGroup: 'g' });
      await queue.scheduleRecurring('rare', { label: 'tick' }, 3_600);
      await queue.enqueue({ label: 'before' });
      await waitFor(() => seen.includes('before'), 'the job before the switch');
      await h.setActiveBackend(fixture.switchTarget.pluginId, fixture.switchTarget.config);
      expect(h.getActivePlugin()).toBe(fixture.switchTarget.pluginId);
      expect(h.getQueue('switching')).toBe(queue);
      await queue.enqueue({ label: 'after' });
      await waitFor(() => seen.includes('after'), 'the job after the switch');
      expect((await queue.getRecurringJobDetails('rare'))?.data).toEqual({ label: 'tick' });
      await h.setActiveBackend(fixture.pluginId, fixture.config);
      await queue.enqueue({ label: 'back' });
      await waitFor(() => seen.includes('back'), 'the job after switching back');
    });

    test('config migration: a version-1 config is brought forward; invalid or future configs are refused and change nothing', async () => {
      const h = await hub();
      await h.setActiveBackend(fixture.pluginId, fixture.legacyConfig.stored);
      expect(h.getActivePlugin()).toBe(fixture.pluginId);
      fixture.legacyConfig.check();
      await expect(h.setActiveBackend(fixture.pluginId, { ...fixture.config, concurrency: 0 })).rejects.toBeInstanceOf(ConfigError);
      await expect(h.setActiveBackend(fixture.pluginId, { configVersion: 99 })).rejects.toBeInstanceOf(ConfigError);
      await expect(h.setActiveBackend('no-such-backend', {})).rejects.toMatchObject({ code: 'UNKNOWN_QUEUE_PLUGIN' });
      const queue = h.getQueue<{ n: number }>('after-migration');
      const seen: number[] = [];
      await queue.consume(async (job) => void seen.push(job.data.n), { consumerGroup: 'g' });
      await queue.enqueue({ n: 1 });
      await waitFor(() => seen.length === 1, 'a job on the migrated backend');
    });

    test('pause and resume (queue-wide and local): nothing starts while paused', async () => {
      const h = await hub();
      const queue = h.getQueue<{ n: number }>('pausing');
      const seen: number[] = [];
      await queue.consume(async (job) => void seen.push(job.data.n), { consumerGroup: 'g' });
      await queue.pause();
      expect(await queue.isPaused()).toBe(true);
      await queue.enqueue({ n: 1 });
      await holdsThroughout(() => seen.length === 0, 'no job runs while the queue is paused');
      await queue.resume();
      expect(await queue.isPaused()).toBe(false);
      await waitFor(() => seen.length === 1, 'the job after resume');
      queue.pauseLocal();
      await queue.enqueue({ n: 2 });
      await holdsThroughout(() => seen.length === 1, 'no job runs while paused locally');
      expect(await queue.isPaused()).toBe(false);
      queue.resumeLocal();
      await waitFor(() => seen.length === 2, 'the job after local resume');
      h.stopPolling();
      await queue.enqueue({ n: 3 });
      await holdsThroughout(() => seen.length === 2, 'no job runs while polling is stopped');
      h.startPolling();
      await waitFor(() => seen.length === 3, 'the job after polling restarts');
    });

    test(`progress events reach onProgress listeners${fixture.crossProcess ? ' in another process' : ''}`, async () => {
      const h = await hub();
      const queue = h.getQueue<FixtureJob>('progress');
      const events: ProgressEvent[] = [];
      const unsubscribe = queue.onProgress((event) => events.push(event));
      await new Promise((resolve) => setImmediate(resolve));
      const remote = await fixture.remoteConsumer(h, 'progress', 'reporters');
      remotes.push(remote);
      await settleSubscriptions(h);
      const id = await queue.enqueue({ label: 'p', progress: true });
      await waitFor(() => events.length >= 2, 'two progress events', 15_000);
      expect(events.slice(0, 2)).toEqual([
        { queue: 'progress', jobId: id, consumerGroup: 'reporters', progress: 50 },
        { queue: 'progress', jobId: id, consumerGroup: 'reporters', progress: 100 },
      ]);
      unsubscribe();
    });

    test('graceful stop: no new jobs, in-flight jobs finish, consume afterwards is refused', async () => {
      const h = await hub();
      const queue = h.getQueue<{ n: number }>('stopping');
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const started: number[] = [];
      const finished: number[] = [];
      await queue.consume(
        async (job) => {
          started.push(job.data.n);
          await gate;
          finished.push(job.data.n);
        },
        { consumerGroup: 'g', concurrency: 1 },
      );
      await queue.enqueue({ n: 1 });
      await waitFor(() => started.length === 1, 'the first job to start');
      expect(await queue.getInFlightCount()).toBe(1);
      expect(await h.getInFlightJobCount()).toBe(1);
      await queue.enqueue({ n: 2 });
      const stopping = queue.stop(5_000);
      setTimeout(release, 50);
      await stopping;
      expect(finished).toEqual([1]);
      expect(started).toEqual([1]);
      expect(await queue.getInFlightCount()).toBe(0);
      await expect(queue.consume(async () => undefined, { consumerGroup: 'g' })).rejects.toBeInstanceOf(QueueStoppedError);
    });

    test('the documented usage patterns run as written: recurring from startDelay 0, work queue, broadcast, priority, delay, dedup', async () => {
      const h = await hub();
      // Pattern 1: a recurring health check runs at once the first time, then every interval.
      const checks = h.getQueue<{ configId: string; systemId: string }>('health-checks');
      const ran: Array<{ id: string; at: number }> = [];
      await checks.consume(async (job) => void ran.push({ id: job.id, at: Date.now() }), { consumerGroup: 'health-checks', maxRetries: 0 });
      const scheduledAt = Date.now();
      await checks.scheduleRecurring('healthcheck:cfg-1:sys-1', { configId: 'cfg-1', systemId: 'sys-1' }, 60, { startDelay: 0 }); // 60 s = 3 s scaled
      await waitFor(() => ran.length === 1, 'the first run, at once', 10_000);
      expect(ran[0].at - scheduledAt).toBeLessThan(60 * 1000 * SCALE);

      // Pattern 2: one group per instance receives every message (broadcast).
      const sync = h.getQueue<{ userId: string; roles: string[] }>('permission-sync');
      const perInstance: Record<string, string[]> = { 'instance-a': [], 'instance-b': [] };
      for (const instanceId of Object.keys(perInstance)) {
        await sync.consume(async (job) => void perInstance[instanceId].push(job.data.userId), { consumerGroup: `permission-sync:${instanceId}`, maxRetries: 3 });
      }
      await sync.enqueue({ userId: '123', roles: ['admin'] });
      await waitFor(() => perInstance['instance-a'].length === 1 && perInstance['instance-b'].length === 1, 'every instance synced');

      // Pattern 3: priority 100 runs before priority 1, whatever the enqueue order.
      const exportsQueue = h.getQueue<{ userId: string; format: string }>('exports');
      await exportsQueue.enqueue({ userId: 'system', format: 'csv' }, { priority: 1 });
      await exportsQueue.enqueue({ userId: 'u-1', format: 'csv' }, { priority: 100 });
      const exported: string[] = [];
      await exportsQueue.consume(async (job) => void exported.push(job.data.userId), { consumerGroup: 'exports', maxRetries: 3, concurrency: 1 });
      await waitFor(() => exported.length === 2, 'both exports');
      expect(exported).toEqual(['u-1', 'system']);

      // Pattern 4: startDelay is in seconds: a reminder in 24 hours waits.
      const reminders = h.getQueue<{ userId: string; type: string }>('reminders');
      const reminded: string[] = [];
      await reminders.consume(async (job) => void reminded.push(job.data.userId), { consumerGroup: 'mailers' });
      await reminders.enqueue({ userId: 'u-2', type: 'reminder' }, { startDelay: 86_400 });
      await reminders.enqueue({ userId: 'u-3', type: 'reminder' }, { startDelay: 0 });
      await waitFor(() => reminded.length === 1, 'the undelayed reminder');
      await holdsThroughout(() => reminded.length === 1, 'the 24-hour reminder waits', 300);
      expect((await reminders.getStats()).pending).toBe(1);

      // Pattern 5: a second enqueue with the same jobId returns the existing id and adds nothing.
      const syncs = h.getQueue<{ userId: string; data: number }>('user-sync');
      expect(await syncs.enqueue({ userId: '123', data: 1 }, { jobId: 'sync:user:123' })).toBe('sync:user:123');
      expect(await syncs.enqueue({ userId: '123', data: 2 }, { jobId: 'sync:user:123' })).toBe('sync:user:123');
      expect((await syncs.getStats()).pending).toBe(1);
    }, 60_000); // five queues, each consumer a worker of its own

    test('exact stats and metrics after a mixed run', async () => {
      const h = await hub();
      const queue = h.getQueue<{ fail?: boolean }>('stats');
      await queue.enqueue({});
      expect(await queue.getStats()).toEqual({ pending: 1, processing: 0, completed: 0, failed: 0, consumerGroups: 0, groups: [] });
      expect(await queue.metrics()).toEqual({ waiting: 1, active: 0, completed: 0, failed: 0, delayed: 0 });
      // The waiting message goes to the first group that registers; later groups get later messages.
      await queue.consume(async () => undefined, { consumerGroup: 'a' });
      await queue.consume(
        async (job) => {
          if (job.data.fail) throw new Error('refused');
        },
        { consumerGroup: 'b', maxRetries: 0 },
      );
      await queue.enqueue({});
      await queue.enqueue({ fail: true });
      await queue.enqueue({}, { startDelay: 3_600 });
      const stats = await waitFor(async () => {
        const s = await queue.getStats();
        return s.completed === 4 && s.failed === 1 ? s : null;
      }, 'all ready deliveries finished', 15_000);
      expect(stats).toMatchObject({ pending: 2, processing: 0, completed: 4, failed: 1, consumerGroups: 2 });
      expect(stats.groups!.map(({ consumers, ...g }) => ({ ...g, live: consumers > 0 }))).toEqual([
        { name: 'a', pending: 1, processing: 0, completed: 3, failed: 0, live: true },
        { name: 'b', pending: 1, processing: 0, completed: 1, failed: 1, live: true },
      ]);
      expect(await queue.metrics()).toEqual({ waiting: 0, active: 0, completed: 4, failed: 1, delayed: 2 });
    });
  });
}

/** Lets progress subscriptions become active before the first event is published. */
async function settleSubscriptions(hub: QueueHub): Promise<void> {
  await hub.progressFeed?.ready();
}
