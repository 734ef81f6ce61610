/**
 * Maintenance is a role of the process, once per database and namespace: a worker and the
 * consumers of several consumer groups in one process run one sweep per sweep interval between
 * them (each used to start its own loop: N groups and a worker swept N+1 times per interval).
 */
import { processMaintenance } from '../../src/composition/queue-assembly';
import { queuePartsOf } from '../../src/composition/create-queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

describe('maintenance runs once per process per namespace', () => {
  const harness = new QueueHarness('maintenance_once');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('a worker and three consumer groups sweep once per interval, and maintenance stops with the last of them', async () => {
    const manager = await harness.manager({ name: 'host', worker: { sweepInterval: 100 } });
    const worker = await harness.worker(manager);
    const queue = manager.getQueue<{ n: number }>('orders');
    for (const group of ['billing', 'shipping', 'audit']) await queue.consume(async () => undefined, { consumerGroup: group });

    const role = processMaintenance.roleOf(queuePartsOf(manager));
    expect(role).toBeDefined();
    // The worker's queue and the three groups' delivery queues: four queues, one role.
    expect(role!.queueCount).toBe(4);

    await waitFor(() => role!.sweeps >= 1, 'a first sweep');
    const from = { sweeps: role!.sweeps, at: Date.now() };
    await waitFor(() => role!.sweeps >= from.sweeps + 5, 'five more sweeps');
    const elapsed = Date.now() - from.at;
    // One sweep per interval (a tick may land just inside the window at either end).
    expect(role!.sweeps - from.sweeps).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    expect(elapsed).toBeGreaterThanOrEqual(5 * 100 - 50);

    manager.stopPolling();
    await queue.stop();
    await worker.stop(1_000);
    expect(processMaintenance.roleOf(queuePartsOf(manager))).toBeUndefined();
  });
});
