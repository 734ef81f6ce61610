import { ConfigError } from '../../errors';
import type { QueuePlugin, PluginContext } from '../../queue-api/queue-plugin';
import { engineQueueConfigSchema, type EngineQueueConfig } from './engine-config';
import { EngineQueue } from './engine-queue';
import { isEngineHost } from './engine-host';
import { EngineRuntime } from './engine-runtime';

const RUNTIME_KEY = 'engine-runtime';

function runtimeOf(context: PluginContext): EngineRuntime {
  const host = context.host;
  if (!isEngineHost(host)) throw new ConfigError('The "engine" queue backend needs a QueueManager: use queueManager.getQueue(name)');
  let runtime = context.shared.get(RUNTIME_KEY) as EngineRuntime | undefined;
  if (!runtime) {
    runtime = new EngineRuntime(host);
    context.shared.set(RUNTIME_KEY, runtime);
  }
  return runtime;
}

/** Named queues on the product's engine: MongoDB as the truth, Redis batches, locks and wake-ups. */
export const engineQueuePlugin: QueuePlugin<EngineQueueConfig> = {
  id: 'engine',
  displayName: 'MongoDB + Redis',
  description: 'Durable named queues on the job engine: messages and deliveries in MongoDB, batches, locks and wake-ups in Redis',
  configVersion: 2,
  configSchema: engineQueueConfigSchema,
  migrations: [
    {
      from: 1,
      describe: 'pollInterval (seconds) became pollIntervalMs',
      migrate: ({ pollInterval, ...rest }) => (pollInterval === undefined ? rest : { ...rest, pollIntervalMs: Math.round(Number(pollInterval) * 1000) }),
    },
  ],
  createQueue<T>(name: string, config: EngineQueueConfig, context: PluginContext) {
    return new EngineQueue<T>(name, config, runtimeOf(context), context.logger);
  },
  async dispose(context: PluginContext) {
    const runtime = context.shared.get(RUNTIME_KEY) as EngineRuntime | undefined;
    context.shared.delete(RUNTIME_KEY);
    await runtime?.close();
  },
};
