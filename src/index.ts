/** The package's public API. */
export { QueueManager } from './manager/queue-manager';
export { QueueFactory, getDefaultQueueManager, resetDefaultQueueManager, registerDefaultJobs } from './manager/queue-factory';
export type { AddJobInput, AddJobResult } from './manager/job-input';
/** The engine's statistics (getQueueStats); QueueStats is the named-queue API's. */
export type { QueueStats as QueueManagerStats } from './manager/queue-stats';
export type { HealthReport, HealthState } from './manager/health-check';
export type { ReprocessResult } from './manager/dlq-service';
export { QueueWorker, type WorkerStats } from './worker/queue-worker';
export { JobRegistry } from './registry/job-registry';
export { JobRepository } from './storage/job-repository';
export { DlqRepository, type DlqListFilter } from './storage/dlq-repository';
export type { JobDocument } from './storage/job-store';
export type { DlqDocument } from './storage/dlq-store';
export type { TransitionResult, TransitionMiss } from './storage/transition-result';
export { JobStatus } from './domain/job-status';
export { PriorityBand, JobPriority, DEFAULT_PRIORITY_LEVELS, bandOf } from './domain/priority-band';
export { DlqSeverity, FailureReason } from './domain/dlq-record';
export type { JobRecord, JobHistoryEntry, JobAttemptError } from './domain/job-record';
export { defineJob, type JobDefinition, type JobContext, type JobServices, type JobTypeMap, type JobDataFor } from './domain/job-definition';
export type { BackoffOptions } from './domain/backoff';
export { resolveQueueConfig, queueConfigSchema, type QueueConfig, type QueueConfigInput } from './config/queue-config';
export { loadConfig, ENVIRONMENT_VARIABLES, type EnvironmentConfig } from './config/environment';
export * from './errors';
export type {
  Queue,
  QueueJob,
  QueueConsumer,
  ConsumeOptions,
  QueueStats,
  RecurringJobDetails,
  NamedQueue,
  NamedQueueBackend,
  NamedQueueStats,
  DeliveredJob,
  QueueJobContext,
  QueueHandler,
  QueueEnqueueOptions,
  EnqueueOptions,
  RecurringSchedule,
  QueueRecurringOptions,
  RecurringOptions,
  ConsumerGroupStats,
  QueueMetrics,
  ProgressEvent,
  ProgressListener,
  RecurringJobInfo,
  QueueApiStats,
  BackendQueue,
} from './queues/queue-api';
export type { QueuePlugin, MigrationChain, ConfigMigration, PluginContext, StoredPluginConfig } from './queues/queue-plugin';
export { QueuePluginRegistry, UnknownQueuePluginError, DuplicateQueuePluginError } from './queues/plugin-registry';
export { QueueProxy, type QueueProxyOptions } from './queues/queue-proxy';
export { NamedQueues, type NamedQueuesOptions } from './queues/named-queues';
export { migratePluginConfig } from './queues/config-migration';
export { QueueStoppedError, QueueCapabilityError, QueueConnectionError } from './queues/queue-errors';
export { engineQueuePlugin } from './queues/engine/engine-plugin';
export { engineQueueConfigSchema, type EngineQueueConfig } from './queues/engine/engine-config';
export { memoryQueuePlugin, memoryQueueConfigSchema, InMemoryQueue, QueueFullError, type MemoryQueueConfig, type MemoryQueueConfigInput } from './queues/memory';
export { retentionSchema, type RetentionPolicy } from './queues/retention';
export { createLogger, silentLogger, type Logger } from './logging/logger';
export {
  QueueJobType,
  shippedJobs,
  NotificationInbox,
  registerCacheWarmer,
  unregisterCacheWarmer,
  cacheWarmerNames,
  jobSettings,
  JOB_ENVIRONMENT_VARIABLES,
  type CacheWarmer,
  type InAppNotification,
} from '../jobs';
