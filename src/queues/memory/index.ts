export { memoryQueuePlugin, memoryQueueConfigSchema, type MemoryQueueConfig } from './memory-plugin';
export { MemoryQueue } from './memory-queue';
export { QueueFullError, QueueStoppedError } from './memory-errors';
