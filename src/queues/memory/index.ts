export { memoryQueuePlugin, memoryQueueConfigSchema, type MemoryQueueConfig, type MemoryQueueConfigInput } from './memory-plugin';
export { InMemoryQueue, MemoryQueue } from './memory-queue';
export { QueueFullError, QueueStoppedError } from './memory-errors';
