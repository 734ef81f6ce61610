import { mkdirSync, rmSync } from 'node:fs';
import Redis from 'ioredis';
import { JobStatus } from '../../src/domain/job-status';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

/**
 * Redis connected and answering PING, but refusing writes: jobs still run (claimed from MongoDB,
 * scheduler and sweeper under a MongoDB lease), health says degraded, and everything recovers by
 * itself when writes are allowed again.
 */
describe('Redis up but refusing writes', () => {
  const harness = new QueueHarness('redis_refusing');
  let admin: Redis;
  beforeAll(async () => {
    await harness.start();
    admin = new Redis({ host: '127.0.0.1', port: harness.redis.port, lazyConnect: true });
    await admin.connect();
  });
  afterAll(async () => {
    admin.disconnect();
    await harness.stop();
  });

  async function statusOf(manager: QueueManager, jobId: string): Promise<string | undefined> {
    return (await manager.jobRepository.findByJobId(jobId))?.status;
  }

  async function runsThroughRefusal(name: string, refuse: () => Promise<unknown>, allow: () => Promise<unknown>, expectedError: RegExp): Promise<void> {
    const manager = await harness.manager({ name });
    await harness.worker(manager, 2);
    const warm = await manager.addJob({ type: 'test_job', data: { label: `${name}-warm` } });
    await waitFor(async () => (await statusOf(manager, warm.jobId)) === JobStatus.Completed, 'a job before the refusal');
    expect(await manager.checkHealth()).toMatchObject({ overall: 'healthy', issues: [] });

    await refuse();
    const pending = await manager.addJob({ type: 'test_job', data: { label: `${name}-pending` } });
    const delayed = await manager.addJob({ type: 'test_job', data: { label: `${name}-delayed` }, delay: 300 });
    const health = await manager.checkHealth();
    expect(health.overall).toBe('degraded');
    expect(health.redis.status).toBe('connected');
    expect(health.redis.error).toMatch(expectedError);
    expect(health.cache.status).toBe('degraded');
    expect(health.redisWrites.refusing).toBe(true);
    await waitFor(async () => (await statusOf(manager, pending.jobId)) === JobStatus.Completed, 'the pending job to run while Redis refuses writes', 10_000);
    await waitFor(async () => (await statusOf(manager, delayed.jobId)) === JobStatus.Completed, 'the delayed job to run while Redis refuses writes', 10_000);
    expect(manager.lifecycle.counters.misses).toBeGreaterThan(0);

    await allow();
    await waitFor(async () => (await manager.checkHealth()).overall === 'healthy', 'health to recover', 10_000);
    await waitFor(() => manager.lifecycle.redisUsable, 'the batches to be used again', 10_000);
    const hitsBefore = manager.lifecycle.counters.hits;
    const after = await manager.addJob({ type: 'test_job', data: { label: `${name}-after` } });
    await waitFor(async () => (await statusOf(manager, after.jobId)) === JobStatus.Completed, 'a job after recovery');
    expect(manager.lifecycle.counters.hits).toBeGreaterThan(hitsBefore);
    // Nothing ran twice.
    for (const label of ['pending', 'delayed', 'after']) expect(harness.runs.filter((r) => r.label === `${name}-${label}`)).toHaveLength(1);
  }

  it('OOM under maxmemory + noeviction', async () => {
    await runsThroughRefusal(
      'oom',
      async () => {
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await admin.config('SET', 'maxmemory', '1');
      },
      () => admin.config('SET', 'maxmemory', '0'),
      /OOM/,
    );
  }, 60_000);

  it('READONLY: the server turned into a replica (as after a failover)', async () => {
    await runsThroughRefusal(
      'readonly',
      // A master that does not exist: the server stays a read-only replica with its data.
      () => admin.call('REPLICAOF', '127.0.0.1', '1'),
      () => admin.call('REPLICAOF', 'NO', 'ONE'),
      /READONLY/,
    );
  }, 60_000);

  it('MISCONF: a snapshot failed to save and the server stops writes', async () => {
    // The server's working folder removed: its next snapshot cannot be written, and with
    // stop-writes-on-bgsave-error (the default) every write is refused until one succeeds.
    const dir = String(((await admin.config('GET', 'dir')) as string[])[1]);
    await runsThroughRefusal(
      'misconf',
      async () => {
        // Writes stop on a failed save only where snapshots are configured.
        await admin.config('SET', 'save', '3600 1');
        await admin.config('SET', 'stop-writes-on-bgsave-error', 'yes');
        rmSync(dir, { recursive: true, force: true });
        await admin.bgsave();
        await waitFor(async () => /rdb_last_bgsave_status:err/.test(await admin.info('persistence')), 'the snapshot to fail');
      },
      async () => {
        mkdirSync(dir, { recursive: true });
        // The deleted folder stays the server's working directory, so no snapshot can succeed:
        // the operator's other way out is to stop refusing writes on a failed save.
        await admin.config('SET', 'stop-writes-on-bgsave-error', 'no');
        await admin.config('SET', 'save', '');
      },
      /MISCONF/,
    );
  }, 60_000);

  it('two processes fall back to a MongoDB lease: one scheduler pass at a time', async () => {
    const a = await harness.manager({ name: 'lease' });
    const b = await harness.manager({ name: 'lease' });
    const leases = queuePartsOf(a).taskLeases;
    const now = new Date();
    expect(await leases.tryTake('lease:scheduler', 'one', 5_000, now)).toBe(true);
    expect(await queuePartsOf(b).taskLeases.tryTake('lease:scheduler', 'two', 5_000, now)).toBe(false);
    await leases.release('lease:scheduler', 'one');
    expect(await queuePartsOf(b).taskLeases.tryTake('lease:scheduler', 'two', 5_000, new Date())).toBe(true);
  });
});
