import type { QueuePluginRegistry } from '../queue-api/plugin-registry';
import type { WorkerBinding } from '../worker/worker-port';
import type { ReprocessOptions, ReprocessResult } from './dlq-service';
import type { NamedQueueHost } from './named-queue-host';
import type { QueueConnections, QueueParts, QueueSpec } from './queue-parts';

/** A started queue as the composition root hands it over: its parts and what it hosts. */
export interface OpenedQueue {
  connections: QueueConnections;
  parts: QueueParts;
  /** The named queues this manager hosts (built on first use). */
  namedQueues(): NamedQueueHost;
  /** Reprocesses a DLQ entry of this queue, or of a consumer group of one of its named queues. */
  reprocessDLQEntry(id: string, admin: string, corrections: Record<string, unknown> | undefined, options: ReprocessOptions): Promise<ReprocessResult>;
  workerBinding(): WorkerBinding;
  /** Stops the named queues (in-flight jobs finish within graceMs), then closes the connections. */
  close(graceMs?: number): Promise<void>;
}

/** How a manager gets its parts: the composition root (src/composition) implements it. */
export interface QueueWiring {
  /** Backends of the named-queue API (getQueue); applications may register their own. */
  readonly queuePlugins: QueuePluginRegistry;
  open(spec: QueueSpec): Promise<OpenedQueue>;
}
