/**
 * The shipped job types. QueueFactory registers them on every manager it builds; applications
 * register their own types the same way (`manager.registerJob(defineJob({...}))`).
 */
import type { JobDefinition } from '../src/domain/job-definition';
import { dataExportJob, type DataExportData } from './business/data-export.job';
import { emailSendJob, type EmailSendData } from './business/email-send.job';
import { fileProcessJob, type FileProcessData } from './business/file-process.job';
import { userNotificationJob, type UserNotificationData } from './business/user-notification.job';
import { cacheWarmJob, type CacheWarmData } from './maintenance/cache-warm.job';
import { cleanupJob, type CleanupData } from './maintenance/cleanup.job';

export const QueueJobType = {
  EMAIL_SEND: 'email_send',
  USER_NOTIFICATION: 'user_notification',
  DATA_EXPORT: 'data_export',
  FILE_PROCESS: 'file_process',
  CACHE_WARM: 'cache_warm',
  CLEANUP: 'cleanup',
} as const;
export type QueueJobType = (typeof QueueJobType)[keyof typeof QueueJobType];

declare module '../src/domain/job-definition' {
  interface JobTypeMap {
    email_send: EmailSendData;
    user_notification: UserNotificationData;
    data_export: DataExportData;
    file_process: FileProcessData;
    cache_warm: CacheWarmData;
    cleanup: Partial<CleanupData>;
  }
}

export const shippedJobs: readonly JobDefinition[] = [emailSendJob, userNotificationJob, dataExportJob, fileProcessJob, cacheWarmJob, cleanupJob] as unknown as JobDefinition[];

export { emailSendJob, userNotificationJob, dataExportJob, fileProcessJob, cacheWarmJob, cleanupJob };
export { NotificationInbox, type InAppNotification } from './business/notification-inbox';
export { registerCacheWarmer, unregisterCacheWarmer, cacheWarmerNames, type CacheWarmer } from './maintenance/cache-warmers';
export { jobSettings, JOB_ENVIRONMENT_VARIABLES, type JobSettings } from './settings';
