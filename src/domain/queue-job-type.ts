/** The type names of the shipped job handlers (their definitions: the `mongo-redis-queue/jobs` entry). */
export const QueueJobType = {
  EMAIL_SEND: 'email_send',
  USER_NOTIFICATION: 'user_notification',
  DATA_EXPORT: 'data_export',
  FILE_PROCESS: 'file_process',
  CACHE_WARM: 'cache_warm',
  CLEANUP: 'cleanup',
} as const;
export type QueueJobType = (typeof QueueJobType)[keyof typeof QueueJobType];
