import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataExportJob } from '../../jobs/business/data-export.job';
import { fileProcessJob } from '../../jobs/business/file-process.job';
import { cacheWarmJob } from '../../jobs/maintenance/cache-warm.job';
import { userNotificationJob } from '../../jobs/business/user-notification.job';
import { JobTimeoutError, PermanentJobError } from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { handlerContext, withEnv } from './job-context';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('handlers stop on their signal and classify outages', () => {
  const harness = new QueueHarness('job_abort');
  let manager: QueueManager;
  let dir: string;
  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    dir = mkdtempSync(join(tmpdir(), 'job-abort-'));
    mkdirSync(join(dir, 'uploads'), { recursive: true });
    writeFileSync(join(dir, 'uploads', 'big.txt'), 'y'.repeat(1_000_000));
    await queuePartsOf(manager).connection.collection('events').insertMany(Array.from({ length: 3000 }, (_, i) => ({ i })));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await harness.stop();
  });

  function aborted(): AbortSignal {
    const controller = new AbortController();
    controller.abort(new JobTimeoutError(10));
    return controller.signal;
  }

  it('data_export and file_process end with the signal reason when aborted', async () => {
    const exportData = dataExportJob.schema.parse({ mode: 'collection', collection: 'events', format: 'ndjson', output: 'events.ndjson' });
    await expect(withEnv({ EXPORT_DIR: join(dir, 'exports'), EXPORT_COLLECTIONS: 'events' }, () => dataExportJob.handle(exportData, handlerContext(manager, { signal: aborted() })))).rejects.toBeInstanceOf(JobTimeoutError);
    const gzip = fileProcessJob.schema.parse({ operation: 'gzip', input: 'big.txt', output: 'big.gz' });
    await expect(withEnv({ UPLOAD_DIR: join(dir, 'uploads'), PROCESSED_DIR: join(dir, 'processed') }, () => fileProcessJob.handle(gzip, handlerContext(manager, { signal: aborted() })))).rejects.toBeInstanceOf(JobTimeoutError);
  });

  it('cache_warm retries while Redis is down (a plain error), never silently succeeds', async () => {
    const context = handlerContext(manager);
    const noRedis = { ...context, services: { ...context.services, redis: null } };
    const error = await cacheWarmJob.handle(cacheWarmJob.schema.parse({}), noRedis).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect((error as Error).message).toMatch(/Redis is unavailable/);
  });

  it('user_notification retries an unreachable provider and fails permanently when no channel can work', async () => {
    const data = userNotificationJob.schema.parse({ userId: 'u', channels: ['push'], title: 't', body: 'b', deviceToken: 'd' });
    // Nothing listens on this loopback port: a connection error, worth a retry.
    await expect(withEnv({ NOTIFY_PUSH_URL: 'http://127.0.0.1:9/push', NOTIFY_TIMEOUT_MS: '500' }, () => userNotificationJob.handle(data, handlerContext(manager)))).rejects.not.toBeInstanceOf(PermanentJobError);
    const smsOnly = userNotificationJob.schema.parse({ userId: 'u', channels: ['sms'], title: 't', body: 'b' });
    await expect(withEnv({ NOTIFY_SMS_URL: undefined }, () => userNotificationJob.handle(smsOnly, handlerContext(manager)))).rejects.toBeInstanceOf(PermanentJobError);
  });
});
