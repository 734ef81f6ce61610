/**
 * The shipped job types, the package's `mongo-redis-queue/jobs` entry. QueueFactory registers them
 * on every manager it builds; applications register their own types the same way
 * (`manager.registerJob(defineJob({...}))`).
 */
import type { z } from 'zod';
import type { JobDefinition } from '../src/domain/job-definition';
import { dataExportJob, dataExportSchema } from './business/data-export.job';
import { emailSendJob, emailSendSchema } from './business/email-send.job';
import { fileProcessJob, fileProcessSchema } from './business/file-process.job';
import { userNotificationJob, userNotificationSchema } from './business/user-notification.job';
import { cacheWarmJob, cacheWarmSchema } from './maintenance/cache-warm.job';
import { cleanupJob, cleanupSchema } from './maintenance/cleanup.job';

export { QueueJobType } from '../src/domain/queue-job-type';

/** What addJob accepts for each shipped type: the schemas' input (defaults still to be applied). */
declare module '../src/domain/job-definition' {
  interface JobTypeMap {
    email_send: z.input<typeof emailSendSchema>;
    user_notification: z.input<typeof userNotificationSchema>;
    data_export: z.input<typeof dataExportSchema>;
    file_process: z.input<typeof fileProcessSchema>;
    cache_warm: z.input<typeof cacheWarmSchema>;
    cleanup: z.input<typeof cleanupSchema>;
  }
}

export const shippedJobs: readonly JobDefinition[] = [emailSendJob, userNotificationJob, dataExportJob, fileProcessJob, cacheWarmJob, cleanupJob] as unknown as JobDefinition[];

export { emailSendJob, userNotificationJob, dataExportJob, fileProcessJob, cacheWarmJob, cleanupJob };
export { NotificationInbox, type InAppNotification } from './business/notification-inbox';
export { registerCacheWarmer, unregisterCacheWarmer, cacheWarmerNames, type CacheWarmer } from './maintenance/cache-warmers';
export { jobSettings, JOB_ENVIRONMENT_VARIABLES, type JobSettings } from './settings';
/** File access confined to a folder (links that leave it refused): for application handlers too. */
export { openConfined, readConfined, writeConfined, folderPathSchema, inFolder, type ConfinedFile } from './confined-path';
