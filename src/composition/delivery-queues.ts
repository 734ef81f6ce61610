import type { Logger } from 'pino';
import { configuredLevels } from '../config/config-aliases';
import type { QueueConfig } from '../config/queue-config';
import type { CachedJob } from '../cache/batch-cache';
import type { ReprocessOptions, ReprocessResult } from '../manager/dlq-service';
import type { QueueConnections, QueueParts } from '../manager/queue-parts';
import { TypeBatchSizes } from '../manager/type-batch-sizes';
import { DELIVERY_PRIORITY_LEVELS, deliveryAdminDefinition, QUEUE_MESSAGE_TYPE } from '../queues/engine/delivery';
import type { DeliveryQueue, EngineHost, EngineStores } from '../queues/engine/engine-host';
import { namedQueueStoresOn } from '../storage/queue-storage';
import { JobRegistry } from '../registry/job-registry';
import { assembleQueue, workerBindingFor } from './queue-assembly';

/**
 * The engine backend's host on a manager's connections: the named-queue stores, one delivery
 * queue per consumer group (assembled like the manager's own queue, with the delivery bands), the
 * pause switches, and the host queue's Redis state and task locks.
 */
export class ComposedEngineHost implements EngineHost {
  readonly stores: EngineStores;

  constructor(
    private readonly host: QueueParts,
    private readonly connections: QueueConnections,
    private readonly logger: Logger,
  ) {
    this.stores = namedQueueStoresOn(connections.connection);
  }

  get config(): QueueConfig {
    return this.host.config;
  }

  get jobs() {
    return this.host.store;
  }

  get reads() {
    return this.host.reads;
  }

  get progress() {
    return this.connections.progress;
  }

  get redisUsable(): boolean {
    return this.host.lifecycle.redisUsable;
  }

  deliveryQueue(name: string, options: { controlQueue: string; registry?: JobRegistry }): DeliveryQueue {
    const parts = this.assembleDelivery(name, options.controlQueue, options.registry ?? new JobRegistry());
    return {
      worker: { config: parts.config, start: async () => undefined, workerBinding: () => workerBindingFor(parts, this.connections, this.logger) },
      offer: (jobs: CachedJob[]) => parts.lifecycle.offer(jobs),
    };
  }

  /**
   * Reprocesses a DLQ entry: one of the host queue's through its own DLQ service, one of a named
   * queue's consumer group through that group's (the new delivery goes back to the group).
   */
  async reprocess(id: string, admin: string, corrections: Record<string, unknown> | undefined, options: ReprocessOptions): Promise<ReprocessResult> {
    const entry = await this.host.dlqService.findEntry(id);
    if (entry.queue === this.host.config.name || entry.type !== QUEUE_MESSAGE_TYPE) return this.host.dlqService.reprocess(id, admin, corrections, options);
    const group = this.assembleDelivery(entry.queue, entry.queue, new JobRegistry().register(deliveryAdminDefinition));
    return group.dlqService.reprocess(String(entry._id), admin, corrections, options);
  }

  async setPaused(controlQueue: string, paused: boolean, by: string): Promise<void> {
    await this.connections.controls.setPaused(controlQueue, paused, by, new Date());
  }

  async isPaused(controlQueue: string): Promise<boolean> {
    return this.connections.controls.isPaused(controlQueue);
  }

  async ping(): Promise<void> {
    const db = this.connections.connection.db;
    if (!db) throw new Error('MongoDB is not connected');
    await db.command({ ping: 1 });
  }

  async probeRedisWrites(): Promise<void> {
    await this.host.lifecycle.probeRedisWrites();
  }

  runExclusive<T>(resource: string, ttlMs: number, task: () => Promise<T>): Promise<T | undefined> {
    return this.host.locks.runExclusive(resource, ttlMs, task);
  }

  private assembleDelivery(name: string, controlQueue: string, registry: JobRegistry): QueueParts {
    const config: QueueConfig = { ...this.host.config, name, batch: { ...this.host.config.batch, priorityLevels: configuredLevels(DELIVERY_PRIORITY_LEVELS) } };
    return assembleQueue({ config, registry, batchSizes: new TypeBatchSizes(registry), controlQueue }, this.connections, this.logger);
  }
}
