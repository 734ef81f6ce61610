import { queuePartsOf } from '../../../src/composition/create-queue-manager';
import { JobStatus } from '../../../src/domain/job-status';
import type { QueueManager } from '../../../src/manager/queue-manager';
import type { QueueHarness } from '../../support/queue-harness';
import { redisCommand } from '../../support/redis-topologies';
import { waitFor } from '../../support/wait-for';

/**
 * The core delivery guarantees, written once for every Redis topology (a server without ZMPOP, a
 * cluster): band and priority order, every job run exactly once across workers, and an idle
 * worker woken by a new job well before its poll interval.
 */

/** Labels in the order a single worker must start them: bands, priority within a band, FIFO. */
const ORDER_PLAN: Array<[string, number]> = [
  ['low-1', 2], ['normal-1', 7], ['low-2', 3], ['critical-1', 16], ['high-1', 12], ['normal-2', 7], ['critical-2', 20], ['high-2', 12],
];
const EXPECTED_ORDER = ['critical-2', 'critical-1', 'high-1', 'high-2', 'normal-1', 'normal-2', 'low-2', 'low-1'];

export async function expectBandOrder(harness: QueueHarness, name: string): Promise<void> {
  const manager = await harness.manager({ name });
  const labels = ORDER_PLAN.map(([label]) => `${name}/${label}`);
  // One at a time, so ready orders are distinct for the FIFO part.
  for (const [label, priority] of ORDER_PLAN) await manager.addJob({ type: 'test_job', data: { label: `${name}/${label}` }, priority });
  await harness.worker(manager, 1);
  await waitFor(() => harness.runs.filter((r) => labels.includes(r.label)).length === labels.length, `the ${labels.length} ordering jobs`);
  expect(harness.runs.filter((r) => labels.includes(r.label)).map((r) => r.label.slice(name.length + 1))).toEqual(EXPECTED_ORDER);
}

export async function expectEveryJobOnce(harness: QueueHarness, name: string, n: number): Promise<QueueManager> {
  const managers = [await harness.manager({ name }), await harness.manager({ name })];
  const added = await managers[0].addJobs(Array.from({ length: n }, (_, i) => ({ type: 'test_job', data: { label: `${name}-${i}` }, priority: 1 + (i % 20) })));
  await Promise.all([harness.worker(managers[0], 4), harness.worker(managers[1], 4)]);
  const store = queuePartsOf(managers[0]).store.collection;
  // A generous deadline: the machine running the suite may be busy.
  await waitFor(async () => (await store.countDocuments({ queue: name, status: JobStatus.Completed })) === n, `${n} completed jobs of ${name}`, 40_000);
  const runs = harness.runs.filter((r) => r.label.startsWith(`${name}-`));
  expect(runs).toHaveLength(n);
  expect(new Set(runs.map((r) => r.jobId))).toEqual(new Set(added.map((a) => a.jobId)));
  return managers[0];
}

/**
 * With a 5 s poll interval, a job added to an idle worker starts within a second: the worker was
 * blocked on Redis (`blockedClients` counts the clients blocked in the pop; workers of other tests
 * may be blocked too, so the new worker shows as one more) and the push woke it.
 */
export async function expectWakeUp(harness: QueueHarness, name: string, blockedClients: () => Promise<number>): Promise<void> {
  const manager = await harness.manager({ name, worker: { pollInterval: 5_000 } });
  const before = await blockedClients();
  await harness.worker(manager, 1);
  await waitFor(async () => (await blockedClients()) > before, 'the worker to block on Redis');
  const added = Date.now();
  const { jobId } = await manager.addJob({ type: 'test_job', data: { label: `${name}-wake` } });
  const run = await waitFor(() => harness.runs.find((r) => r.jobId === jobId), 'the woken job to start');
  expect(run.startedAt - added).toBeLessThan(1_000);
}

/** Clients of one Redis server whose last command is `command` (CLIENT LIST's cmd field). */
export async function clientsIn(port: number, command: string): Promise<number> {
  const list = String(await redisCommand(port, 'CLIENT', 'LIST'));
  return list.split('\n').filter((line) => line.includes(` cmd=${command} `)).length;
}
