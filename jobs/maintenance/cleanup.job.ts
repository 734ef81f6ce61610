import { lstat, readdir, realpath, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { NotificationInbox } from '../business/notification-inbox';
import { jobSettings } from '../settings';

export const cleanupSchema = z.object({
  /** Override the configured ages and limits for one run. */
  completedAgeHours: z.number().int().positive().optional(),
  completedKeep: z.number().int().min(0).optional(),
  failedAgeDays: z.number().int().positive().optional(),
  dlqRetentionDays: z.number().int().positive().optional(),
  fileAgeHours: z.number().int().positive().optional(),
  notificationAgeDays: z.number().int().positive().optional(),
  dryRun: z.boolean().default(false),
});

export type CleanupData = z.infer<typeof cleanupSchema>;

const HOUR = 3_600_000;

/** Regular files under `dir` (recursively, links never followed) last modified before `before`. */
async function oldFiles(dir: string, before: number): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await oldFiles(path, before)));
    else if (entry.isFile() && (await lstat(path)).mtimeMs < before) found.push(path);
  }
  return found;
}

/**
 * Deletes the files whose folder still resolves inside `root`: a folder swapped for a link after
 * the listing is skipped, so the deletion never reaches outside the handler's folders.
 */
export async function removeConfined(root: string, files: readonly string[]): Promise<number> {
  const realRoot = await realpath(root).catch(() => undefined);
  if (!realRoot) return 0;
  let removed = 0;
  for (const file of files) {
    const folder = await realpath(dirname(file)).catch(() => undefined);
    if (!folder || (folder !== realRoot && !folder.startsWith(realRoot + sep))) continue;
    const entry = await lstat(file).catch(() => undefined);
    if (!entry?.isFile()) continue;
    await rm(file, { force: true });
    removed += 1;
  }
  return removed;
}

/**
 * Retention: completed jobs past their age or beyond the kept count, failed jobs past theirs, DLQ entries past
 * retention (never unreviewed critical ones unless CLEANUP_DLQ_INCLUDE_CRITICAL), old export
 * and processed files, read in-app notifications past their age. Reports what it removed.
 */
export const cleanupJob = defineJob({
  type: 'cleanup',
  description: 'Deletes what retention says is no longer needed',
  schema: cleanupSchema,
  defaults: { priority: 2, maxAttempts: 3, timeoutMs: 30 * 60_000, backoff: { type: 'exponential', delay: 60_000 } },
  async handle(data, context) {
    const settings = jobSettings();
    const { retention } = context.services;
    const now = Date.now();
    const jobs = await retention.pruneJobs(
      {
        completedMaxAgeMs: (data.completedAgeHours ?? settings.completedAgeHours) * HOUR,
        completedMaxCount: data.completedKeep ?? settings.completedKeep,
        // Failed jobs: the DLQ entry keeps their full snapshot, so the job document goes after a week.
        failedMaxAgeMs: (data.failedAgeDays ?? settings.failedAgeDays) * 24 * HOUR,
      },
      { dryRun: data.dryRun },
    );
    await context.reportProgress(30);

    const dlqBefore = new Date(now - (data.dlqRetentionDays ?? context.services.settings.dlqRetentionDays) * 24 * HOUR);
    const dlqRemoved = await retention.pruneDeadLetters(dlqBefore, { dryRun: data.dryRun, includeCritical: settings.dlqIncludeCritical });
    await context.reportProgress(60);

    const fileBefore = now - (data.fileAgeHours ?? settings.fileAgeHours) * HOUR;
    const folders = [settings.exportDir, settings.processedDir, settings.outboxDir];
    const perFolder = await Promise.all(folders.map(async (root) => ({ root, files: await oldFiles(root, fileBefore) })));
    const files = perFolder.flatMap((f) => f.files);
    if (!data.dryRun) for (const { root, files: old } of perFolder) await removeConfined(root, old);
    await context.reportProgress(80);

    const notificationsBefore = new Date(now - (data.notificationAgeDays ?? settings.notificationAgeDays) * 24 * HOUR);
    const notificationsRemoved = await new NotificationInbox(context.services.mongo).removeReadBefore(notificationsBefore, data.dryRun);
    await context.reportProgress(100);
    return { dryRun: data.dryRun, completedJobs: jobs.completed, failedJobs: jobs.failed, dlqEntries: dlqRemoved, files: files.length, notifications: notificationsRemoved };
  },
});
