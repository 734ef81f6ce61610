import { JobPriority } from '../../src';
import { getDefaultQueueManager, resetDefaultQueueManager } from '../../src/composition/queue-factory';
import { QueueHarness, testJobDefinition } from '../support/queue-harness';
import { testMongoUri } from '../support/mongo';

describe('development tools: resetDefaultQueueManager and clearing a queue', () => {
  const harness = new QueueHarness('dev_tools');
  const savedMongoUri = process.env.MONGO_URI;
  beforeAll(async () => {
    await harness.start();
    process.env.MONGO_URI = testMongoUri();
  });
  afterAll(async () => {
    await resetDefaultQueueManager();
    if (savedMongoUri === undefined) delete process.env.MONGO_URI;
    else process.env.MONGO_URI = savedMongoUri;
    await harness.stop();
  });

  const defaults = () => ({
    name: 'dev-default',
    mongodb: { uri: testMongoUri(), dbName: harness.dbName },
    redis: { host: '127.0.0.1', port: harness.redis.port, db: 0 },
    cache: { namespace: harness.namespace },
  });

  it('resets the process-wide manager: awaited, it closes it, and the next call builds a new one', async () => {
    const first = await getDefaultQueueManager(defaults(), harness.logger);
    expect(await getDefaultQueueManager(defaults(), harness.logger)).toBe(first);
    await resetDefaultQueueManager();
    expect(first.isStarted).toBe(false);
    const second = await getDefaultQueueManager(defaults(), harness.logger);
    expect(second).not.toBe(first);
    expect(second.isStarted).toBe(true);
    // Resetting twice (nothing to close the second time) is harmless.
    await resetDefaultQueueManager();
    await resetDefaultQueueManager();
    expect(second.isStarted).toBe(false);
  });

  it('clears jobs and DLQ entries of its own queue only, then takes new jobs', async () => {
    const queueManager = await getDefaultQueueManager(defaults(), harness.logger);
    queueManager.registerJob(testJobDefinition(harness.runs));
    const neighbour = await harness.manager({ name: 'dev-neighbour' });
    for (const manager of [queueManager, neighbour]) {
      const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'to-dead-letter' }, delay: 60_000 });
      await manager.moveToDLQ(jobId, 'cleared by hand', 'dev');
      await manager.addJob({ type: 'test_job', data: { label: 'waiting' } });
    }

    expect(await queueManager.jobRepository.deleteMany({})).toBe(2);
    expect(await queueManager.dlqRepository.deleteMany({ queue: 'dev-neighbour' })).toBe(0);
    expect(await queueManager.dlqRepository.deleteMany({})).toBe(1);
    expect((await queueManager.getDLQStats()).totalEntries).toBe(0);
    expect((await neighbour.getDLQStats()).totalEntries).toBe(1);
    expect((await neighbour.getQueueStats()).total).toBe(2);

    const testJobs = await Promise.all([
      queueManager.addJob({ type: 'test_job', data: { label: 'seed-1' }, priority: JobPriority.NORMAL }),
      queueManager.addJob({ type: 'test_job', data: { label: 'seed-2' }, priority: JobPriority.HIGH }),
    ]);
    expect(testJobs).toHaveLength(2);
    expect((await queueManager.getQueueStats()).total).toBe(2);
  });
});
