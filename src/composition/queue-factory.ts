import type { Logger } from 'pino';
import type { QueueConfig, QueueConfigInput } from '../config/queue-config';
import { resolveQueueConfig } from '../config/queue-config';
import { resolveDefaultConfig, type ApplicationEnvironment } from '../config/default-config';
import type { JobDefinition } from '../domain/job-definition';
import { JobRegistry } from '../registry/job-registry';
import { shippedJobs } from '../../jobs';
import type { QueueManager } from '../manager/queue-manager';
import { createQueueManager } from './create-queue-manager';

/** Job types every manager made by the factory knows: the shipped handlers, plus what applications add. */
const defaultDefinitions: JobDefinition[] = [...shippedJobs];

/** Called by the shipped job registry (jobs/index.ts) and by applications with types of their own. */
export function registerDefaultJobs(definitions: readonly JobDefinition[]): void {
  for (const definition of definitions) {
    if (!defaultDefinitions.includes(definition)) defaultDefinitions.push(definition);
  }
}

function registryWithDefaults(): JobRegistry {
  return new JobRegistry().registerAll(defaultDefinitions);
}

/** Builds started QueueManagers. */
export const QueueFactory = {
  /**
   * From the environment (MONGO_URI, REDIS_*, QUEUE_*), overridden by `config`: an application's
   * validated environment object (`{ MONGO_URI, REDIS_HOST, REDIS_PORT, ... }`) or a partial
   * QueueConfig (merged section by section).
   */
  async createDefault(config: QueueConfigInput | ApplicationEnvironment = {}, logger: Logger): Promise<QueueManager> {
    return QueueFactory.createWithConfig(resolveDefaultConfig(config, process.env), logger);
  },

  /**
   * From a QueueConfig (validated here once): missing sections and fields take their defaults;
   * mongodb.connectionString falls back to MONGO_URI.
   */
  async createWithConfig(queueConfig: QueueConfigInput | QueueConfig, logger: Logger): Promise<QueueManager> {
    const manager = createQueueManager(resolveQueueConfig(queueConfig), logger, registryWithDefaults());
    await manager.start();
    return manager;
  },
};

let defaultManager: Promise<QueueManager> | undefined;

/** The process-wide manager, created on first use (as QueueFactory.createDefault); later calls return the same one. */
export function getDefaultQueueManager(config: QueueConfigInput | ApplicationEnvironment = {}, logger: Logger): Promise<QueueManager> {
  defaultManager ??= QueueFactory.createDefault(config, logger).catch((error: unknown) => {
    defaultManager = undefined;
    throw error;
  });
  return defaultManager;
}

/** Closes and forgets the process-wide manager (tests, and reconfiguration). */
export async function resetDefaultQueueManager(): Promise<void> {
  const pending = defaultManager;
  defaultManager = undefined;
  if (pending) await (await pending.catch(() => undefined))?.close();
}
