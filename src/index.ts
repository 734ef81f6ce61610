/** The package's public API. */
export { QueueManager } from './manager/queue-manager';
export { QueueFactory, getDefaultQueueManager, resetDefaultQueueManager, registerDefaultJobs } from './composition/queue-factory';
export { createQueueManager } from './composition/create-queue-manager';
export type { AddJobInput, AddJobResult } from './manager/job-input';
export type { BatchSizes } from './manager/type-batch-sizes';
/** The engine's statistics (getQueueStats); QueueStats is the named-queue API's. */
export type { QueueStats as QueueManagerStats } from './manager/queue-stats';
export type { HealthReport, HealthState, MongoHealth, RedisHealth, CacheHealth, PerformanceHealth } from './manager/health-check';
export type { ReprocessOptions, ReprocessResult } from './manager/dlq-service';
export type { DlqOptionCorrections, DlqReprocessRecord } from './domain/dlq-record';
export { QueueWorker, type WorkerStats } from './worker/queue-worker';
export { JobRegistry } from './registry/job-registry';
export { JobRepository, type ListOptions, type JobSortField } from './storage/job-repository';
export { DlqRepository, type DlqListFilter, type DlqEntry } from './storage/dlq-repository';
export type { JobDocument } from './storage/job-store';
export type { DlqDocument } from './storage/dlq-store';
export type { TransitionResult, TransitionMiss } from './storage/transition-result';
export { JobStatus } from './domain/job-status';
export { PriorityBand, JobPriority, DEFAULT_PRIORITY_LEVELS, bandOf } from './domain/priority-band';
export { DlqSeverity, FailureReason } from './domain/dlq-record';
export type { JobRecord, JobHistoryEntry, JobAttemptError } from './domain/job-record';
export { defineJob, type JobDefinition, type JobContext, type JobServices, type JobTypeMap, type JobDataFor } from './domain/job-definition';
export type { BackoffOptions } from './domain/backoff';
/** QueueConfig is the documented shape an application writes (sections and fields optional, defaulted); ResolvedQueueConfig is what a manager holds after validation. */
export { resolveQueueConfig, queueConfigSchema, type QueueConfigInput as QueueConfig, type QueueConfigInput, type QueueConfig as ResolvedQueueConfig } from './config/queue-config';
export { loadConfig, ENVIRONMENT_VARIABLES, type EnvironmentConfig } from './config/environment';
export { type ApplicationEnvironment } from './config/default-config';
export { batchTtlMs, batchRefreshAfterMs, cacheTtlMs, dlqCleanupIntervalMs } from './config/durations';
export type { ConfiguredPriorityLevels } from './config/config-aliases';
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
  MessageBackoff,
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
} from './queue-api/queue-api';
export type { QueuePlugin, MigrationChain, ConfigMigration, PluginContext, StoredPluginConfig } from './queue-api/queue-plugin';
export { QueuePluginRegistry, UnknownQueuePluginError, DuplicateQueuePluginError } from './queue-api/plugin-registry';
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
  JobQueue,
  JOB_QUEUE_GROUP,
  DEFAULT_JOB_OPTIONS,
  JOB_QUEUE_PRIORITY,
  toQueuePriority,
  deadLetterMessageId,
  JobPriorityOutOfRangeError,
  JobQueueStateError,
  type Job,
  type JobProcessor,
  type JobProgressEvent,
  type JobProgressListener,
  type JobQueueMetrics,
  type JobQueueOptions,
  type JobOptions,
  type JobBackoff,
  type JobRepeat,
  type DefaultJobOptions,
  type DeadLetterMessage,
} from './job-queue';
/** The shipped job types' names; their definitions and helpers: `mongo-redis-queue/jobs`. */
export { QueueJobType } from './domain/queue-job-type';
