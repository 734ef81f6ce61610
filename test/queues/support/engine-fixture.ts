import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { resolveQueueConfig, type QueueConfigInput } from '../../../src/config/queue-config';
import { createQueueManager, queuePartsOf } from '../../../src/composition/create-queue-manager';
import type { QueueManager } from '../../../src/manager/queue-manager';
import { migratePluginConfig } from '../../../src/queues/config-migration';
import { engineQueuePlugin } from '../../../src/queues/engine/engine-plugin';
import { testMongoUri, uniqueDbName } from '../../support/mongo';
import { testLogger } from '../../support/queue-harness';
import { waitFor } from '../../support/wait-for';
import type { QueueBackendFixture, QueueHub, RemoteConsumer } from './queue-conformance';

const ROOT = join(__dirname, '..', '..', '..');
const ENGINE_CONFIG = { configVersion: 2, pollIntervalMs: 50, delayMultiplier: 0.05, consumerHeartbeatMs: 100, retentionIntervalMs: 1_000 };

/**
 * The conformance fixture of the engine backend on the Redis that `redis()` describes (a single
 * server, a cluster): each test's world is a database and key namespace of its own, and remote
 * consumers run in another process (test/fixtures/named-queue-consumer.ts) on the same Redis.
 */
export function engineConformanceFixture(redis: () => NonNullable<QueueConfigInput['redis']>): QueueBackendFixture {
  const managers: QueueManager[] = [];
  const newWorld = () => ({ dbName: uniqueDbName('named_queues'), namespace: `nq${randomBytes(4).toString('hex')}` });
  let world = newWorld();
  return {
    pluginId: 'engine',
    config: ENGINE_CONFIG,
    legacyConfig: {
      stored: { pollInterval: 0.05, delayMultiplier: 0.05, consumerHeartbeatMs: 100 },
      check: () => expect(migratePluginConfig(engineQueuePlugin, { pollInterval: 0.05 })).toMatchObject({ pollIntervalMs: 50 }),
    },
    switchTarget: { pluginId: 'memory', config: { configVersion: 2, delayMultiplier: 0.05 } },
    crossProcess: true,
    async openHub(): Promise<QueueHub> {
      const manager = createQueueManager(
        resolveQueueConfig({
          name: 'root',
          mongodb: { uri: testMongoUri(), dbName: world.dbName },
          redis: { commandTimeoutMs: 1000, ...redis() },
          worker: { pollInterval: 50, sweepInterval: 100, lockTimeout: 2_000, heartbeatInterval: 200, shutdownTimeout: 5_000 },
          cache: { namespace: world.namespace },
        }),
        testLogger(),
      );
      await manager.start();
      await manager.setActiveBackend('engine', ENGINE_CONFIG);
      managers.push(manager);
      return manager;
    },
    async remoteConsumer(_hub, queue, group): Promise<RemoteConsumer> {
      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/named-queue-consumer.ts')], {
        env: { ...process.env, NQ_MONGO_URI: testMongoUri(), NQ_DB: world.dbName, NQ_REDIS: JSON.stringify(redis()), NQ_NAMESPACE: world.namespace, NQ_QUEUE: queue, NQ_GROUP: group },
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const runs: RemoteConsumer['runs'] = [];
      let ready = false;
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const event = JSON.parse(line) as { event: string; id?: string; label?: string; group?: string; pid?: number };
          if (event.event === 'ready') ready = true;
          if (event.event === 'ran' && event.id) runs.push({ id: event.id, label: event.label, group: event.group ?? group, consumer: `pid:${event.pid}` });
        } catch {
          // not one of ours
        }
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await waitFor(() => ready, `consumer process for ${queue}/${group}`, 20_000);
      return {
        runs,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    },
    async reset() {
      const first = managers[0];
      managers.length = 0;
      if (first) {
        const dropper = createQueueManager(first.config, testLogger());
        await dropper.start();
        await queuePartsOf(dropper).connection.dropDatabase().catch(() => undefined);
        await dropper.close();
      }
      world = newWorld();
    },
  };
}
