export { JobQueue, JOB_QUEUE_GROUP } from './job-queue';
export type { Job, JobProcessor, JobProgressEvent, JobProgressListener, JobQueueMetrics } from './job';
export type { JobQueueOptions, JobOptions, JobBackoff, JobRepeat, DefaultJobOptions } from './job-queue-options';
export { DEFAULT_JOB_OPTIONS } from './job-queue-options';
export { toQueuePriority, JOB_QUEUE_PRIORITY } from './job-priority';
export { deadLetterMessageId, type DeadLetterMessage } from './dead-letter-relay';
export { JobPriorityOutOfRangeError, JobQueueStateError } from './job-queue-errors';
