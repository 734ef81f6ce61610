import { orderKeyFor } from '../../src/storage/order-key';
import { QueueHarness, type RunRecord } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

/** Same-priority pairs that started in the opposite of their enqueue order. */
function inversions(runs: RunRecord[], enqueued: Map<string, { priority: number; index: number }>): number {
  const byPriority = new Map<number, number[]>();
  for (const run of runs) {
    const job = enqueued.get(run.jobId);
    if (!job) continue;
    const list = byPriority.get(job.priority) ?? [];
    list.push(job.index);
    byPriority.set(job.priority, list);
  }
  let count = 0;
  for (const order of byPriority.values()) {
    for (let i = 0; i < order.length; i += 1) for (let j = i + 1; j < order.length; j += 1) if (order[i] > order[j]) count += 1;
  }
  return count;
}

describe('FIFO within a priority for bulk adds', () => {
  const harness = new QueueHarness('bulk_order');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('orderKeyFor is strictly increasing for keys made in one millisecond, far past 64 of them', () => {
    const at = new Date();
    const keys = Array.from({ length: 5_000 }, () => orderKeyFor(at, false, at.getTime()));
    for (let i = 1; i < keys.length; i += 1) expect(keys[i]).toBeGreaterThan(keys[i - 1]);
    const lifo = Array.from({ length: 200 }, () => orderKeyFor(at, true, at.getTime()));
    for (let i = 1; i < lifo.length; i += 1) expect(lifo[i]).toBeLessThan(lifo[i - 1]);
    const later = new Date(at.getTime() + 60_000);
    const delayed = Array.from({ length: 200 }, () => orderKeyFor(later, false, at.getTime()));
    for (let i = 1; i < delayed.length; i += 1) expect(delayed[i]).toBeGreaterThan(delayed[i - 1]);
  });

  async function runBulk(name: string, redisDown: boolean): Promise<number> {
    // Batches live long enough to outlast the run: this test is about the order key, not batch expiry.
    const manager = await harness.manager({ name, batch: { size: 50, ttl: 60_000 } });
    const priorities = [18, 12, 7, 2];
    const n = 600;
    const inputs = Array.from({ length: n }, (_, i) => ({ type: 'test_job', data: { label: `${name}${i}` }, priority: priorities[i % priorities.length] }));
    if (redisDown) await harness.redis.kill();
    const added = await manager.addJobs(inputs);
    // Single adds after the bulk add keep their place behind it.
    const singles = [];
    for (let i = 0; i < 40; i += 1) singles.push(await manager.addJob({ type: 'test_job', data: { label: `${name}s${i}` }, priority: priorities[i % priorities.length] }));
    const enqueued = new Map([...added, ...singles].map((r, index) => [r.jobId, { priority: r.priority, index }]));
    await harness.worker(manager, 10);
    const mine = () => harness.runs.filter((r) => enqueued.has(r.jobId));
    await waitFor(() => mine().length === enqueued.size, `all ${enqueued.size} jobs to start`, 50_000);
    if (redisDown) await harness.redis.start(harness.redis.port);
    return inversions(mine(), enqueued);
  }

  it('10 concurrent slots start bulk-added jobs of one priority in enqueue order (Redis batches)', async () => {
    expect(await runBulk('viaredis', false)).toBe(0);
  }, 60_000);

  it('the same holds when workers claim straight from MongoDB (Redis down)', async () => {
    expect(await runBulk('viamongo', true)).toBe(0);
  }, 60_000);
});
