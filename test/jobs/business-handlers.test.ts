import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { dataExportJob } from '../../jobs/business/data-export.job';
import { fileProcessJob } from '../../jobs/business/file-process.job';
import { NotificationInbox } from '../../jobs/business/notification-inbox';
import { userNotificationJob } from '../../jobs/business/user-notification.job';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { handlerContext, withEnv } from './job-context';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

describe('business job handlers', () => {
  const harness = new QueueHarness('business_jobs');
  let manager: QueueManager;
  let dir: string;
  let provider: Server;
  let providerUrl = '';
  const calls: Array<{ path: string; body: unknown }> = [];
  let smsFailuresLeft = 0;

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    dir = mkdtempSync(join(tmpdir(), 'business-jobs-'));
    provider = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ path: req.url ?? '', body: JSON.parse(body) });
        if (req.url === '/sms' && smsFailuresLeft > 0) {
          smsFailuresLeft -= 1;
          res.writeHead(503).end('busy');
          return;
        }
        if (req.url === '/bad') {
          res.writeHead(400).end('bad token');
          return;
        }
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"ok"}');
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    providerUrl = `http://127.0.0.1:${(provider.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => provider.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    await harness.stop();
  });

  describe('user_notification', () => {
    const env = () => ({ NOTIFY_PUSH_URL: `${providerUrl}/push`, NOTIFY_SMS_URL: `${providerUrl}/sms` });

    it('delivers each channel once, re-sending only failed channels on retry', async () => {
      smsFailuresLeft = 1;
      const data = userNotificationJob.schema.parse({ userId: 'u1', channels: ['in_app', 'push', 'sms'], title: 'Hi', body: 'There', phone: '+4912345678', deviceToken: 'dev-1' });
      const context = handlerContext(manager);
      await expect(withEnv(env(), () => userNotificationJob.handle(data, context))).rejects.toThrow(/sms/);
      const result = await withEnv(env(), () => userNotificationJob.handle(data, { ...context, attempt: 2 }));
      expect(result.channels).toMatchObject({ in_app: { status: 'delivered' }, push: { status: 'delivered' }, sms: { status: 'delivered' } });
      expect(calls.filter((c) => c.path === '/push')).toHaveLength(1);
      expect(calls.filter((c) => c.path === '/sms')).toHaveLength(2);
      const inbox = new NotificationInbox(queuePartsOf(manager).connection);
      const mine = await inbox.list('u1');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ title: 'Hi', body: 'There', readAt: null });
      expect(await inbox.markRead('u1', [String(mine[0]._id)])).toBe(1);
      expect(await inbox.list('u1', { unreadOnly: true })).toHaveLength(0);
    });

    it('reports a permanent provider refusal without retrying it', async () => {
      const data = userNotificationJob.schema.parse({ userId: 'u2', channels: ['in_app', 'push'], title: 'x', body: 'y', deviceToken: 'd' });
      const result = await withEnv({ NOTIFY_PUSH_URL: `${providerUrl}/bad` }, () => userNotificationJob.handle(data, handlerContext(manager)));
      expect(result.channels.push).toMatchObject({ status: 'failed', permanent: true });
      expect(result.channels.in_app).toMatchObject({ status: 'delivered' });
    });
  });

  describe('data_export', () => {
    beforeAll(async () => {
      await queuePartsOf(manager).connection.collection('orders').insertMany(
        Array.from({ length: 2500 }, (_, i) => ({ orderId: i, userId: `u${i % 5}`, total: i * 1.5, status: i % 2 ? 'paid' : 'open', at: new Date(1_700_000_000_000 + i) })),
      );
      await queuePartsOf(manager).connection.collection('profiles').insertMany([{ userId: 'u3', name: 'Three' }, { userId: 'u4', name: 'Four' }]);
    });
    const env = () => ({ EXPORT_DIR: join(dir, 'exports'), EXPORT_COLLECTIONS: 'orders', GDPR_COLLECTIONS: 'orders:userId,profiles:userId' });

    it('streams a filtered collection to CSV with row count, size and checksum', async () => {
      const data = dataExportJob.schema.parse({ mode: 'collection', collection: 'orders', filter: { status: 'paid', total: { gte: 3000 } }, fields: ['orderId', 'total'], format: 'csv', output: 'paid.csv' });
      const context = handlerContext(manager);
      const result = await withEnv(env(), () => dataExportJob.handle(data, context));
      const lines = readFileSync(result.file, 'utf8').trim().split('\n');
      expect(lines[0]).toBe('orderId,total');
      expect(lines).toHaveLength(1 + result.rows);
      expect(result.rows).toBe(Array.from({ length: 2500 }, (_, i) => i).filter((i) => i % 2 === 1 && i * 1.5 >= 3000).length);
      expect(result.bytes).toBe(readFileSync(result.file).length);
      expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(context.progress.length).toBeGreaterThan(0);
    });

    it('writes NDJSON and gathers one user across collections in gdpr mode', async () => {
      const nd = await withEnv(env(), () => dataExportJob.handle(dataExportJob.schema.parse({ mode: 'collection', collection: 'orders', filter: { userId: 'u1' }, format: 'ndjson', output: 'u1.ndjson' }), handlerContext(manager)));
      const rows = readFileSync(nd.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { userId: string });
      expect(rows).toHaveLength(500);
      expect(rows.every((r) => r.userId === 'u1')).toBe(true);
      const gdpr = await withEnv(env(), () => dataExportJob.handle(dataExportJob.schema.parse({ mode: 'gdpr', userId: 'u3', output: 'gdpr/u3.json' }), handlerContext(manager)));
      const all = JSON.parse(readFileSync(gdpr.file, 'utf8')) as Array<{ collection: string }>;
      expect(all.filter((d) => d.collection === 'orders')).toHaveLength(500);
      expect(all.filter((d) => d.collection === 'profiles')).toHaveLength(1);
    });

    it('refuses path traversal, collections off the allow-list and operator injection', async () => {
      expect(dataExportJob.schema.safeParse({ mode: 'collection', collection: 'orders', format: 'json', output: '../../escape.json' }).success).toBe(false);
      // Past validation (a document stored before it refused ".."), the handler still confines the path.
      await expect(withEnv(env(), () => dataExportJob.handle({ ...dataExportJob.schema.parse({ mode: 'collection', collection: 'orders', format: 'json', output: 'x.json' }), output: '../../escape.json' }, handlerContext(manager)))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      await expect(withEnv(env(), () => dataExportJob.handle(dataExportJob.schema.parse({ mode: 'collection', collection: 'jobs', format: 'json', output: 'jobs.json' }), handlerContext(manager)))).rejects.toMatchObject({ code: 'COLLECTION_NOT_ALLOWED' });
      expect(dataExportJob.schema.safeParse({ mode: 'collection', collection: 'orders', format: 'json', output: 'x.json', filter: { $where: 'this.total > 0' } }).success).toBe(false);
      expect(dataExportJob.schema.safeParse({ mode: 'collection', collection: 'orders', format: 'json', output: 'x.json', filter: { status: { $ne: 'x' } } }).success).toBe(false);
    });
  });

  describe('file_process', () => {
    const env = () => ({ UPLOAD_DIR: join(dir, 'uploads'), PROCESSED_DIR: join(dir, 'processed') });
    beforeAll(async () => {
      mkdirSync(join(dir, 'uploads'), { recursive: true });
      await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 30, b: 30 } } }).jpeg().withMetadata({ exif: { IFD0: { Copyright: 'secret' } } }).toFile(join(dir, 'uploads', 'photo.jpg'));
      writeFileSync(join(dir, 'uploads', 'broken.png'), Buffer.from('this is not an image'));
      writeFileSync(join(dir, 'uploads', 'notes.txt'), 'x'.repeat(10_000));
    });

    it('resizes, thumbnails, converts and strips metadata', async () => {
      const run = (data: unknown) => withEnv(env(), () => fileProcessJob.handle(fileProcessJob.schema.parse(data), handlerContext(manager)));
      expect(await run({ operation: 'resize', input: 'photo.jpg', output: 'small.jpg', width: 320 })).toMatchObject({ width: 320, height: 240, format: 'jpeg' });
      expect(await run({ operation: 'thumbnail', input: 'photo.jpg', output: 'thumb.jpg', size: 100 })).toMatchObject({ width: 100, height: 100 });
      await run({ operation: 'convert', input: 'photo.jpg', output: 'photo.webp', format: 'webp' });
      expect((await sharp(join(dir, 'processed', 'photo.webp')).metadata()).format).toBe('webp');
      await run({ operation: 'strip_metadata', input: 'photo.jpg', output: 'clean.jpg' });
      expect((await sharp(join(dir, 'uploads', 'photo.jpg')).metadata()).exif).toBeDefined();
      expect((await sharp(join(dir, 'processed', 'clean.jpg')).metadata()).exif).toBeUndefined();
    });

    it('gzips any file', async () => {
      const result = await withEnv(env(), () => fileProcessJob.handle(fileProcessJob.schema.parse({ operation: 'gzip', input: 'notes.txt', output: 'notes.txt.gz' }), handlerContext(manager)));
      expect(result.outputBytes).toBeLessThan(result.inputBytes!);
      expect(gunzipSync(readFileSync(join(dir, 'processed', 'notes.txt.gz'))).toString()).toBe('x'.repeat(10_000));
    });

    it('makes corrupt input, missing input and escaping paths permanent errors', async () => {
      const run = (data: unknown) => withEnv(env(), () => fileProcessJob.handle(fileProcessJob.schema.parse(data), handlerContext(manager)));
      await expect(run({ operation: 'resize', input: 'broken.png', output: 'b.png', width: 10 })).rejects.toMatchObject({ code: 'UNSUPPORTED_INPUT' });
      await expect(run({ operation: 'thumbnail', input: 'absent.jpg', output: 'a.jpg' })).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
      expect(fileProcessJob.schema.safeParse({ operation: 'gzip', input: '../../../etc/hostname', output: 'h.gz' }).success).toBe(false);
      await expect(withEnv(env(), () => fileProcessJob.handle({ operation: 'gzip', input: '../../../etc/hostname', output: 'h.gz' }, handlerContext(manager)))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    });
  });
});
