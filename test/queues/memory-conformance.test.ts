import { migratePluginConfig } from '../../src/queues/config-migration';
import { memoryQueuePlugin } from '../../src/queues/memory';
import { NamedQueues } from '../../src/queues/named-queues';
import { QueuePluginRegistry } from '../../src/queue-api/plugin-registry';
import type { DeliveredJob, QueueJobContext } from '../../src/queue-api/queue-api';
import { testLogger } from '../support/queue-harness';
import { describeQueueConformance, type FixtureJob, type QueueHub, type RemoteConsumer } from './support/queue-conformance';

const memoryConfig = { configVersion: 2, concurrency: 5, delayMultiplier: 0.05 };

/** The in-memory backend has no other process: the "remote" consumer is a second consumer here. */
describeQueueConformance({
  pluginId: 'memory',
  config: memoryConfig,
  legacyConfig: {
    stored: { timeScale: 0.05 },
    check: () => expect(migratePluginConfig(memoryQueuePlugin, { timeScale: 0.05 })).toMatchObject({ delayMultiplier: 0.05 }),
  },
  switchTarget: { pluginId: 'memory', config: { configVersion: 2, concurrency: 2, delayMultiplier: 0.05 } },
  crossProcess: false,
  async openHub(): Promise<QueueHub> {
    return new NamedQueues({
      plugins: new QueuePluginRegistry().register(memoryQueuePlugin),
      logger: testLogger(),
      initial: { pluginId: 'memory', config: memoryConfig },
    });
  },
  async remoteConsumer(hub, queue, group): Promise<RemoteConsumer> {
    const runs: RemoteConsumer['runs'] = [];
    await hub.getQueue<FixtureJob>(queue).consume(
      async (job: DeliveredJob<FixtureJob>, context: QueueJobContext) => {
        runs.push({ id: job.id, label: job.data.label, group: context.consumerGroup, consumer: 'second' });
        if (job.data.progress) {
          await context.reportProgress(50);
          await context.reportProgress(100);
        }
        if (job.data.holdMs) await new Promise((resolve) => setTimeout(resolve, job.data.holdMs));
      },
      { consumerGroup: group, concurrency: 1 },
    );
    return { runs, stop: async () => undefined };
  },
  async reset() {},
});
