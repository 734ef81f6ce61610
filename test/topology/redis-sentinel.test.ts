import { queuePartsOf } from '../../src/composition/create-queue-manager';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { redisCommand, SentinelTopology } from '../support/redis-topologies';
import { waitFor } from '../support/wait-for';

interface TimedRun {
  jobId: string;
  workerId: string;
  start: number;
  end: number;
}

/** A job that records when it ran, so overlapping runs of one job would show. */
function timedJob(runs: TimedRun[]) {
  return defineJob({
    type: 'timed_job',
    schema: z.object({ n: z.number().int() }),
    defaults: { maxAttempts: 3 },
    async handle(_data, context) {
      const start = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 2));
      runs.push({ jobId: context.jobId, workerId: context.workerId, start, end: Date.now() });
    },
  });
}

/** Pairs of runs of one job whose time spans overlap (two workers running it at once). */
function concurrentDoubleRuns(runs: TimedRun[]): Array<[TimedRun, TimedRun]> {
  const byJob = new Map<string, TimedRun[]>();
  for (const run of runs) byJob.set(run.jobId, [...(byJob.get(run.jobId) ?? []), run]);
  const overlaps: Array<[TimedRun, TimedRun]> = [];
  for (const list of byJob.values()) {
    const sorted = [...list].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i += 1) if (sorted[i].start < sorted[i - 1].end) overlaps.push([sorted[i - 1], sorted[i]]);
  }
  return overlaps;
}

describe('Redis Sentinel: a primary, a replica and three sentinels', () => {
  const topology = new SentinelTopology();
  const harness = new QueueHarness('sentinel', { topology });
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('finds the primary through the sentinels', async () => {
    const manager = await harness.manager({ name: 'found' });
    await manager.addJob({ type: 'test_job', data: { label: 'found' } });
    const primary = await topology.primaryPort();
    expect(Number(await redisCommand(primary, 'DBSIZE'))).toBeGreaterThan(0);
    expect((await manager.checkHealth()).overall).toBe('healthy');
  });

  it('keeps every guarantee through a forced failover during 2,000 jobs, and health shows the switch', async () => {
    const runs: TimedRun[] = [];
    const name = 'failover';
    const managers: QueueManager[] = [];
    for (let i = 0; i < 3; i += 1) {
      const manager = await harness.manager({ name });
      manager.registerJob(timedJob(runs));
      managers.push(manager);
    }
    const n = 2_000;
    const added = await managers[0].addJobs(Array.from({ length: n }, (_, i) => ({ type: 'timed_job', data: { n: i }, priority: 1 + (i % 20) })));
    const before = await topology.primaryPort();
    for (const manager of managers) await harness.worker(manager, 8, 20);

    const health: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) health.push((await managers[0].checkHealth()).overall);
    })();
    const store = queuePartsOf(managers[0]).store.collection;
    const completed = () => store.countDocuments({ queue: name, status: JobStatus.Completed });
    await waitFor(async () => (await completed()) >= n / 5, 'a fifth of the jobs to complete before the failover');
    const atFailover = await completed();
    await topology.failover();
    await waitFor(async () => (await topology.primaryPort()) !== before, 'the sentinels to name the new primary');
    await waitFor(async () => (await completed()) === n, `all ${n} jobs to complete`, 50_000);
    // Back to healthy by itself on the new primary.
    await waitFor(async () => (await managers[0].checkHealth()).overall === 'healthy', 'health to return to healthy', 15_000);
    watching = false;
    await watcher;

    expect(atFailover).toBeLessThan(n);
    // 0 lost, every job completed once, 0 concurrent double runs.
    const docs = await store.find({ queue: name }, { projection: { jobId: 1, status: 1, history: 1 } }).toArray();
    expect(docs).toHaveLength(n);
    expect(new Set(docs.map((d) => d.jobId))).toEqual(new Set(added.map((a) => a.jobId)));
    for (const doc of docs) expect(doc.history.filter((h) => h.to === JobStatus.Completed)).toHaveLength(1);
    expect(concurrentDoubleRuns(runs)).toEqual([]);
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(n);
    expect(runs).toHaveLength(n);
    expect(health).toContain('degraded');
    // The workers follow the new primary by themselves: their connections are there now.
    const clients = String(await redisCommand(await topology.primaryPort(), 'CLIENT', 'LIST'));
    expect(clients).toContain('name=queue-commands');
    expect(clients).toContain('name=queue-blocking');
  }, 90_000);
});
