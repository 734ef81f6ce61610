import type { Logger } from 'pino';
import type { QueueConfig } from '../config/queue-config';
import type { NamedQueueHost } from '../manager/named-queue-host';
import type { QueueConnections, QueueParts, QueueSpec } from '../manager/queue-parts';
import { QueueManager } from '../manager/queue-manager';
import type { OpenedQueue, QueueWiring } from '../manager/queue-wiring';
import { QueuePluginRegistry } from '../queue-api/plugin-registry';
import { QUEUE_MESSAGE_TYPE } from '../queues/engine/delivery';
import { engineQueuePlugin } from '../queues/engine/engine-plugin';
import { memoryQueuePlugin } from '../queues/memory/memory-plugin';
import { NamedQueues } from '../queues/named-queues';
import { JobRegistry } from '../registry/job-registry';
import { ComposedEngineHost } from './delivery-queues';
import { openConnections } from './queue-connections';
import { assembleQueue, workerBindingFor } from './queue-assembly';

/** The composition root of one manager: opens its connections and builds what the facade delegates to. */
class ComposedWiring implements QueueWiring {
  readonly queuePlugins = new QueuePluginRegistry().register(engineQueuePlugin).register(memoryQueuePlugin);
  opened: { connections: QueueConnections; parts: QueueParts } | undefined;

  constructor(private readonly logger: Logger) {}

  async open(spec: QueueSpec): Promise<OpenedQueue> {
    const connections = await openConnections(spec.config, this.logger.child({ component: 'queue-manager', queue: spec.config.name }));
    // The manager reprocesses its named queues' dead deliveries too (routed to their group).
    const parts = assembleQueue(spec, connections, this.logger, { dlqAlsoType: QUEUE_MESSAGE_TYPE });
    const engine = new ComposedEngineHost(parts, connections, this.logger);
    let named: NamedQueues | undefined;
    const namedQueues = (): NamedQueueHost =>
      (named ??= new NamedQueues({
        plugins: this.queuePlugins,
        logger: this.logger,
        host: engine,
        initial: { pluginId: engineQueuePlugin.id, config: { configVersion: engineQueuePlugin.configVersion, delayMultiplier: spec.config.delayMultiplier, pollIntervalMs: spec.config.worker.pollInterval } },
      }));
    this.opened = { connections, parts };
    return {
      connections,
      parts,
      namedQueues,
      reprocessDLQEntry: (id, admin, corrections, options) => engine.reprocess(id, admin, corrections, options),
      workerBinding: () => workerBindingFor(parts, connections, this.logger),
      close: async (graceMs) => {
        // Named queues stop first: their consumers still write while they drain.
        const running = named;
        named = undefined;
        this.opened = undefined;
        await running?.shutdown(graceMs);
        await connections.close();
      },
    };
  }
}

const wirings = new WeakMap<QueueManager, ComposedWiring>();

/** A QueueManager on its own connections (not started: `start()` connects). QueueFactory starts it for you. */
export function createQueueManager(config: QueueConfig, logger: Logger, registry: JobRegistry = new JobRegistry()): QueueManager {
  const wiring = new ComposedWiring(logger);
  const manager = new QueueManager(config, logger, wiring, registry);
  wirings.set(manager, wiring);
  return manager;
}

/**
 * The connections and parts of a started manager made here, for this package's own modules that
 * work below the facade (JobQueue's dead-letter relay) and its tests (maintenance passes, fault
 * injection). Not exported by the package.
 */
export function queuePartsOf(manager: QueueManager): QueueParts & QueueConnections {
  const opened = wirings.get(manager)?.opened;
  if (!opened) throw new Error('queuePartsOf: the manager was not made by createQueueManager, or is not started');
  return { ...opened.connections, ...opened.parts };
}
