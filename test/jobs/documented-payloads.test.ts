import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { SMTPServer } from 'smtp-server';
import { QueueJobType, shippedJobs } from '../../jobs';
import { JobPriority } from '../../src/domain/priority-band';
import type { JobRecord } from '../../src/domain/job-record';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

/**
 * The shipped job types' payloads exactly as the product's documentation shows them: each one
 * is accepted by addJob as written and run by a worker against real peers (SMTP, HTTP
 * providers, MongoDB, files), and its effect is the documented one.
 */
describe('documented payloads of the shipped job types', () => {
  const harness = new QueueHarness('documented_payloads');
  let manager: QueueManager;
  let dir: string;
  const mails: Array<{ to: string[]; body: string }> = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString()));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  const calls: Array<{ path: string; body: Record<string, unknown> }> = [];
  const provider: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"ok"}');
    });
  });
  const saved: Record<string, string | undefined> = {};
  const setEnv = (vars: Record<string, string>) => {
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in saved)) saved[k] = process.env[k];
      process.env[k] = v;
    }
  };

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    for (const job of shippedJobs) manager.registerJob(job);
    dir = mkdtempSync(join(tmpdir(), 'documented-payloads-'));
    mkdirSync(join(dir, 'templates'));
    mkdirSync(join(dir, 'files', 'uploads'), { recursive: true });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const providerUrl = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;
    setEnv({
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`,
      EMAIL_FROM: 'queue@example.test',
      EMAIL_TEMPLATE_DIR: join(dir, 'templates'),
      OUTBOX_DIR: join(dir, 'outbox'),
      NOTIFY_PUSH_URL: `${providerUrl}/push`,
      NOTIFY_SMS_URL: `${providerUrl}/sms`,
      NOTIFY_CONTACTS: 'users:userId',
      EXPORT_DIR: join(dir, 'export-root'),
      EXPORT_USER_COLLECTIONS: 'customers:userId',
      EXPORT_TRANSACTION_COLLECTIONS: 'transactions:userId:at',
      UPLOAD_DIR: join(dir, 'files'),
      PROCESSED_DIR: join(dir, 'processed'),
    });
    await harness.worker(manager, 2);
  });
  afterAll(async () => {
    await harness.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await new Promise<void>((resolve) => provider.close(() => resolve()));
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Waits until the job is completed or dead, and returns its document. */
  const finished = (jobId: string): Promise<JobRecord> =>
    waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(jobId);
      return doc?.status === 'completed' || doc?.status === 'dead' ? doc : null;
    }, `job ${jobId} to finish`);
  const mailTo = (address: string) => waitFor(() => mails.find((m) => m.to.includes(address)), `a mail to ${address}`);

  describe('email_send', () => {
    it('sends the body when the named template has no file (Add Jobs with Automatic Batching)', async () => {
      const emailJob = await manager.addJob({
        type: 'email_send',
        data: {
          to: 'customer@company.com',
          subject: 'Order Confirmation #12345',
          body: 'Your order has been confirmed and will ship soon.',
          template: 'order_confirmation',
          variables: { orderNumber: '12345', customerName: 'John Doe' },
        },
        priority: 15, // CRITICAL priority
        maxAttempts: 5,
      });
      const doc = await finished(emailJob.jobId);
      expect(doc.status).toBe('completed');
      expect(doc.result).toMatchObject({ delivered: 'smtp', accepted: ['customer@company.com'], template: { name: 'order_confirmation', found: false } });
      const mail = await mailTo('customer@company.com');
      expect(mail.body).toContain('Subject: Order Confirmation #12345');
      expect(mail.body).toContain('Your order has been confirmed and will ship soon.');
    });

    it('fills the template with the variables when its files exist (Core Business Operations)', async () => {
      writeFileSync(join(dir, 'templates', 'order_confirmation.txt'), 'Dear {{customerName}}, order #{{orderNumber}} is confirmed.');
      writeFileSync(join(dir, 'templates', 'order_confirmation.html'), '<p>Dear {{ customerName }}, order <b>#{{orderNumber}}</b> is confirmed.</p>');
      const emailJob = await manager.addJob({
        type: QueueJobType.EMAIL_SEND,
        data: {
          to: 'customer@example.com',
          subject: 'Order Confirmation #12345',
          body: 'Your order has been confirmed and will be shipped soon.',
          template: 'order_confirmation',
          variables: { orderNumber: '12345', customerName: 'John Doe' },
        },
        priority: JobPriority.CRITICAL, // 20 - highest priority
        maxAttempts: 5,
        delay: 0,
        scheduledFor: new Date(), // immediate processing
      });
      const doc = await finished(emailJob.jobId);
      expect(doc).toMatchObject({ status: 'completed', priority: 20, band: 'CRITICAL', maxAttempts: 5 });
      expect(doc.result).toMatchObject({ template: { name: 'order_confirmation', found: true } });
      const mail = await mailTo('customer@example.com');
      expect(mail.body).toContain('Dear John Doe, order #12345 is confirmed.');
      expect(mail.body).toContain('<p>Dear John Doe, order <b>#12345</b> is confirmed.</p>');
      expect(mail.body).not.toContain('will be shipped soon');
    });

    it('accepts the bulk welcome emails; without a template file or body each fails permanently, naming what was looked for', async () => {
      const emailJobs = [
        { to: 'user1@example.com', subject: 'Welcome', template: 'welcome' },
        { to: 'user2@example.com', subject: 'Welcome', template: 'welcome' },
        { to: 'user3@example.com', subject: 'Welcome', template: 'welcome' },
      ];
      const added: string[] = [];
      for (const emailData of emailJobs) {
        added.push((await manager.addJob({ type: QueueJobType.EMAIL_SEND, data: emailData, priority: JobPriority.NORMAL })).jobId);
      }
      for (const jobId of added) {
        const doc = await finished(jobId);
        expect(doc.status).toBe('dead');
        expect(doc.attempts).toBe(1);
        expect(doc.lastError?.code).toBe('TEMPLATE_NOT_FOUND');
        expect(doc.lastError?.message).toContain('"welcome"');
        expect(doc.lastError?.message).toContain(`welcome.txt and welcome.html in ${join(dir, 'templates')} (EMAIL_TEMPLATE_DIR)`);
      }

      writeFileSync(join(dir, 'templates', 'welcome.txt'), 'Welcome aboard!');
      const again = await manager.addJob({ type: QueueJobType.EMAIL_SEND, data: emailJobs[0]!, priority: JobPriority.NORMAL });
      expect((await finished(again.jobId)).status).toBe('completed');
      expect((await mailTo('user1@example.com')).body).toContain('Welcome aboard!');
    });

    it('refuses body and text that disagree, naming both', async () => {
      await expect(manager.addJob({ type: 'email_send', data: { to: 'a@example.test', subject: 's', body: 'one', text: 'two' } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('body and text are the same field'),
      });
    });
  });

  describe('user_notification', () => {
    beforeAll(async () => {
      await queuePartsOf(manager).connection.collection('users').insertOne({ userId: 'user_123', email: 'user123@example.test', phone: '+15550100123', deviceToken: 'device-123' });
    });

    it('delivers push, email and sms with the type, addresses from NOTIFY_CONTACTS (User Notifications)', async () => {
      const notificationJob = await manager.addJob({
        type: QueueJobType.USER_NOTIFICATION,
        data: {
          userId: 'user_123',
          title: 'Payment Received',
          message: 'Your payment of $99.99 has been processed successfully.',
          type: 'success',
          channels: ['push', 'email', 'sms'],
        },
        priority: JobPriority.HIGH,
        maxAttempts: 3,
      });
      const doc = await finished(notificationJob.jobId);
      expect(doc.status).toBe('completed');
      expect(doc.result).toMatchObject({
        type: 'success',
        undeliverable: [],
        channels: { push: { status: 'delivered' }, email: { status: 'delivered' }, sms: { status: 'delivered' } },
      });
      expect(calls.find((c) => c.path === '/push')?.body).toMatchObject({ to: 'device-123', userId: 'user_123', title: 'Payment Received', body: 'Your payment of $99.99 has been processed successfully.', type: 'success' });
      expect(calls.find((c) => c.path === '/sms')?.body).toEqual({ to: '+15550100123', text: 'Payment Received: Your payment of $99.99 has been processed successfully.' });
      const email = await finished(`${notificationJob.jobId}:email`);
      expect(email.status).toBe('completed');
      const mail = await mailTo('user123@example.test');
      expect(mail.body).toContain('Subject: Payment Received');
      expect(mail.body).toContain('has been processed successfully.');
    });

    it('reports a channel this deployment cannot deliver in the result instead of dropping it', async () => {
      setEnv({ NOTIFY_SMS_URL: '' });
      try {
        const { jobId } = await manager.addJob({
          type: QueueJobType.USER_NOTIFICATION,
          data: { userId: 'user_123', title: 'Payment Received', message: 'Processed.', type: 'success', channels: ['push', 'email', 'sms'] },
          priority: JobPriority.HIGH,
        });
        const doc = await finished(jobId);
        expect(doc.status).toBe('completed');
        expect(doc.result).toMatchObject({
          undeliverable: ['sms'],
          channels: { push: { status: 'delivered' }, email: { status: 'delivered' }, sms: { status: 'undeliverable', reason: expect.stringContaining('NOTIFY_SMS_URL is not set') } },
        });
      } finally {
        setEnv({ NOTIFY_SMS_URL: `http://127.0.0.1:${(provider.address() as { port: number }).port}/sms` });
      }
      // A user with no address anywhere: nothing deliverable, so the job fails permanently and says why.
      const { jobId } = await manager.addJob({ type: QueueJobType.USER_NOTIFICATION, data: { userId: 'nobody', title: 'x', message: 'y', channels: ['email', 'sms'] } });
      const doc = await finished(jobId);
      expect(doc.status).toBe('dead');
      expect(doc.lastError?.code).toBe('NO_CHANNEL_DELIVERED');
      expect(doc.lastError?.message).toContain('no email for user nobody: none in the payload, nor in users');
    });

    it('seeds the development notification in-app with type info, and refuses message and body that disagree (Development Tools)', async () => {
      const testJobs = await Promise.all([
        manager.addJob({ type: QueueJobType.EMAIL_SEND, data: { to: 'test@example.com', subject: 'Test', body: 'Test email' }, priority: JobPriority.NORMAL }),
        manager.addJob({ type: QueueJobType.USER_NOTIFICATION, data: { userId: 'test_user', title: 'Test', message: 'Test notification' }, priority: JobPriority.HIGH }),
      ]);
      expect(testJobs).toHaveLength(2);
      const [email, notification] = await Promise.all(testJobs.map((j) => finished(j.jobId)));
      expect(email!.status).toBe('completed');
      expect((await mailTo('test@example.com')).body).toContain('Test email');
      expect(notification!.result).toMatchObject({ type: 'info', channels: { in_app: { status: 'delivered' } }, undeliverable: [] });
      const stored = await queuePartsOf(manager).connection.collection('notifications').findOne({ sourceJobId: notification!.jobId });
      expect(stored).toMatchObject({ userId: 'test_user', title: 'Test', body: 'Test notification', type: 'info', readAt: null });

      await expect(manager.addJob({ type: QueueJobType.USER_NOTIFICATION, data: { userId: 'u', title: 't', message: 'one', body: 'two' } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('message and body are the same field'),
      });
      await expect(manager.addJob({ type: QueueJobType.USER_NOTIFICATION, data: { userId: 'u', title: 't', message: 'm', type: 'urgent' } } as never)).rejects.toMatchObject({ code: 'INVALID_JOB_DATA' });
    });
  });

  describe('data_export', () => {
    beforeAll(async () => {
      const db = queuePartsOf(manager).connection;
      await db.collection('customers').insertMany([{ userId: 'customer_456', name: 'Customer 456' }, { userId: 'customer_999', name: 'Someone else' }]);
      const tx = (userId: string, ref: string, at: string) => ({ userId, ref, at: new Date(at), amount: 10 });
      await db.collection('transactions').insertMany([
        tx('customer_456', 'tx-before', '2023-12-31T23:59:59.999Z'),
        tx('customer_456', 'tx-first', '2024-01-01T00:00:00.000Z'),
        tx('customer_456', 'tx-mid', '2024-06-15T12:00:00.000Z'),
        tx('customer_456', 'tx-last', '2024-12-31T23:59:59.999Z'),
        tx('customer_456', 'tx-after', '2025-01-01T00:00:00.000Z'),
        tx('customer_999', 'tx-other', '2024-06-15T12:00:00.000Z'),
      ]);
    });

    it('writes the customer export with transactions in the date range, both ends included (Data Export)', async () => {
      const exportJob = await manager.addJob({
        type: QueueJobType.DATA_EXPORT,
        data: {
          userId: 'customer_456',
          format: 'csv',
          filters: {
            dateRange: '2024-01-01,2024-12-31',
            includeTransactions: true,
          },
          outputPath: '/exports/customer_456_2024.csv',
        },
        priority: JobPriority.NORMAL,
        maxAttempts: 2,
      });
      const doc = await finished(exportJob.jobId);
      expect(doc.status).toBe('completed');
      const file = join(dir, 'export-root', 'exports', 'customer_456_2024.csv');
      expect(doc.result).toMatchObject({ file, relativePath: join('exports', 'customer_456_2024.csv'), format: 'csv', rows: 4, collections: { customers: 1, transactions: 3 } });
      const csv = readFileSync(file, 'utf8');
      expect(csv.split('\n')[0]).toBe('collection,document');
      for (const ref of ['tx-first', 'tx-mid', 'tx-last', 'Customer 456']) expect(csv).toContain(ref);
      for (const ref of ['tx-before', 'tx-after', 'tx-other', 'Someone else']) expect(csv).not.toContain(ref);
    });

    it('leaves transactions out unless asked for', async () => {
      const { jobId } = await manager.addJob({ type: QueueJobType.DATA_EXPORT, data: { userId: 'customer_456', format: 'ndjson', outputPath: 'profile.ndjson' } });
      const doc = await finished(jobId);
      expect(doc.result).toMatchObject({ rows: 1, collections: { customers: 1 } });
      const rows = readFileSync(join(dir, 'export-root', 'profile.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { collection: string });
      expect(rows.map((r) => r.collection)).toEqual(['customers']);
    });

    it('refuses escaping paths, bad date ranges and unknown filters at addJob, writing nothing', async () => {
      const base = { userId: 'customer_456', format: 'csv' as const, filters: { dateRange: '2024-01-01,2024-12-31', includeTransactions: true } };
      await expect(manager.addJob({ type: QueueJobType.DATA_EXPORT, data: { ...base, outputPath: '/exports/../../etc/cron.d/x' } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('outputPath: must not contain ".." segments'),
      });
      await expect(manager.addJob({ type: QueueJobType.DATA_EXPORT, data: { ...base, filters: { dateRange: '2024-12-31,2024-01-01' }, outputPath: 'a.csv' } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('filters.dateRange: expected "from,to"'),
      });
      await expect(manager.addJob({ type: QueueJobType.DATA_EXPORT, data: { ...base, filters: { since: '2024' }, outputPath: 'a.csv' } } as never)).rejects.toMatchObject({ code: 'INVALID_JOB_DATA' });
      await expect(manager.addJob({ type: QueueJobType.DATA_EXPORT, data: { ...base, outputPath: 'a.csv', output: 'b.csv' } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('outputPath and output are the same field'),
      });
      expect(await queuePartsOf(manager).connection.collection('jobs').countDocuments({ type: 'data_export', 'data.outputPath': { $in: ['a.csv', '/exports/../../etc/cron.d/x'] } })).toBe(0);
    });
  });

  describe('file_process', () => {
    beforeAll(async () => {
      // Noise, so that the encoder quality visibly changes the size.
      await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 120, b: 200 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
        .jpeg({ quality: 95 })
        .toFile(join(dir, 'files', 'uploads', 'user_avatar.jpg'));
    });

    it('resizes the upload with the options into PROCESSED_DIR (File Processing)', async () => {
      const fileJob = await manager.addJob({
        type: QueueJobType.FILE_PROCESS,
        data: {
          fileId: 'upload_789',
          filePath: '/uploads/user_avatar.jpg',
          operation: 'resize',
          options: { width: 200, height: 200, quality: 85 },
        },
        priority: JobPriority.NORMAL,
        maxAttempts: 3,
      });
      const doc = await finished(fileJob.jobId);
      expect(doc.status).toBe('completed');
      const output = join(dir, 'processed', 'uploads', 'user_avatar.jpg');
      expect(doc.result).toMatchObject({ operation: 'resize', fileId: 'upload_789', input: join(dir, 'files', 'uploads', 'user_avatar.jpg'), output, format: 'jpeg', width: 200, height: 150, quality: 85 });
      expect(await sharp(output).metadata()).toMatchObject({ format: 'jpeg', width: 200, height: 150 });

      const low = await manager.addJob({ type: QueueJobType.FILE_PROCESS, data: { filePath: '/uploads/user_avatar.jpg', output: 'low.jpg', operation: 'resize', options: { width: 200, height: 200, quality: 10 } } });
      const lowDoc = await finished(low.jobId);
      expect((lowDoc.result as { outputBytes: number }).outputBytes).toBeLessThan((doc.result as { outputBytes: number }).outputBytes);
    });

    it('refuses traversal and conflicting options at addJob; a missing upload fails permanently', async () => {
      await expect(manager.addJob({ type: QueueJobType.FILE_PROCESS, data: { fileId: 'f', filePath: '/uploads/../../secret.jpg', operation: 'resize', options: { width: 200 } } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('filePath: must not contain ".." segments'),
      });
      await expect(manager.addJob({ type: QueueJobType.FILE_PROCESS, data: { filePath: 'a.jpg', operation: 'resize', width: 100, options: { width: 200 } } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('width is given twice'),
      });
      await expect(manager.addJob({ type: QueueJobType.FILE_PROCESS, data: { filePath: 'a.jpg', operation: 'resize', options: { quality: 80 } } })).rejects.toMatchObject({
        code: 'INVALID_JOB_DATA',
        message: expect.stringContaining('give width and/or height'),
      });
      const { jobId } = await manager.addJob({ type: QueueJobType.FILE_PROCESS, data: { fileId: 'gone', filePath: '/uploads/absent.jpg', operation: 'resize', options: { width: 10 } } });
      const doc = await finished(jobId);
      expect(doc).toMatchObject({ status: 'dead', attempts: 1, lastError: { code: 'INPUT_NOT_FOUND' } });
      expect(existsSync(join(dir, 'processed', 'uploads', 'absent.jpg'))).toBe(false);
    });
  });
});
