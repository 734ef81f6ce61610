import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataExportJob } from '../../jobs/business/data-export.job';
import { emailSendJob } from '../../jobs/business/email-send.job';
import { fileProcessJob } from '../../jobs/business/file-process.job';
import { openConfined, readConfined, writeConfined } from '../../jobs/confined-path';
import { DEFAULT_JOB_FILES_BASE, ensurePrivateBase } from '../../jobs/private-folder';
import { jobSettings } from '../../jobs/settings';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { handlerContext, withEnv } from './job-context';

const SECRET = 'the secret outside every allowed folder';

describe('file confinement', () => {
  const harness = new QueueHarness('file_confinement');
  let manager: QueueManager;
  let dir: string;
  let uploads: string;
  let processed: string;
  let secret: string;

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
  });
  afterAll(() => harness.stop());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'confinement-'));
    uploads = join(dir, 'uploads');
    processed = join(dir, 'processed');
    mkdirSync(uploads);
    mkdirSync(processed);
    secret = join(dir, 'secret.txt');
    writeFileSync(secret, SECRET);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fileEnv = () => ({ UPLOAD_DIR: uploads, PROCESSED_DIR: processed });
  const gzip = (data: Record<string, unknown>) =>
    withEnv(fileEnv(), () => fileProcessJob.handle(fileProcessJob.schema.parse({ operation: 'gzip', ...data }), handlerContext(manager)));

  describe('in the handlers', () => {
    it('refuses a symlinked input file that leads outside UPLOAD_DIR (file_process)', async () => {
      symlinkSync('../secret.txt', join(uploads, 'avatar.png'));
      await expect(gzip({ filePath: 'avatar.png', output: 'avatar.gz' })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      expect(existsSync(join(processed, 'avatar.gz'))).toBe(false);
    });

    it('refuses an output through a symlinked folder that leads outside PROCESSED_DIR, leaving the file there untouched', async () => {
      writeFileSync(join(uploads, 'notes.txt'), 'harmless');
      symlinkSync('..', join(processed, 'sub'));
      await expect(gzip({ filePath: 'notes.txt', output: 'sub/secret.txt' })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      expect(readFileSync(secret, 'utf8')).toBe(SECRET);
    });

    it('follows links that stay inside the folder', async () => {
      mkdirSync(join(uploads, 'real'));
      writeFileSync(join(uploads, 'real', 'notes.txt'), 'x'.repeat(1000));
      symlinkSync('real', join(uploads, 'alias'));
      const result = await gzip({ filePath: 'alias/notes.txt', output: 'out/notes.gz' });
      expect(result).toMatchObject({ input: join(uploads, 'real', 'notes.txt'), output: join(processed, 'out', 'notes.gz'), inputBytes: 1000 });
      expect(result.outputBytes).toBe(statSync(join(processed, 'out', 'notes.gz')).size);
    });

    it('refuses an export written through a symlinked folder (data_export)', async () => {
      const exports = join(dir, 'exports');
      mkdirSync(exports);
      symlinkSync(dir, join(exports, 'up'));
      const data = dataExportJob.schema.parse({ mode: 'gdpr', userId: 'u1', output: 'up/secret.txt' });
      await expect(withEnv({ EXPORT_DIR: exports, GDPR_COLLECTIONS: 'orders:userId' }, () => dataExportJob.handle(data, handlerContext(manager)))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      expect(readFileSync(secret, 'utf8')).toBe(SECRET);
    });

    it('refuses symlinked attachments and templates that lead outside their folders (email_send)', async () => {
      const attachments = join(dir, 'attachments');
      const templates = join(dir, 'templates');
      const outbox = join(dir, 'outbox');
      mkdirSync(attachments);
      mkdirSync(templates);
      symlinkSync(secret, join(attachments, 'invoice.pdf'));
      symlinkSync(secret, join(templates, 'welcome.txt'));
      const env = { EMAIL_ATTACHMENT_DIR: attachments, EMAIL_TEMPLATE_DIR: templates, OUTBOX_DIR: outbox, SMTP_URL: undefined };
      const send = (data: Record<string, unknown>) => withEnv(env, () => emailSendJob.handle(emailSendJob.schema.parse({ to: 'a@example.test', subject: 's', ...data }), handlerContext(manager)));
      await expect(send({ text: 't', attachments: [{ path: 'invoice.pdf' }] })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      await expect(send({ template: 'welcome' })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      expect(existsSync(outbox) ? readdirSync(outbox) : []).toEqual([]);
      // The same attachment as a real file inside the folder is sent.
      rmSync(join(attachments, 'invoice.pdf'));
      writeFileSync(join(attachments, 'invoice.pdf'), 'PDF');
      const sent = await send({ text: 't', attachments: [{ path: 'invoice.pdf' }] });
      expect(readFileSync(sent.file as string, 'utf8')).toContain('filename=invoice.pdf');
    });
  });

  describe('the helper', () => {
    it('refuses ".." segments and absolute paths outside the folder; an absolute path inside it is allowed', async () => {
      await expect(readConfined(uploads, '../secret.txt')).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      await expect(readConfined(uploads, 'a/../../secret.txt')).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      await expect(readConfined(uploads, secret)).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      await expect(writeConfined(processed, '../secret.txt', 'overwritten')).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      writeFileSync(join(uploads, 'inside.txt'), 'ok');
      expect((await readConfined(uploads, join(uploads, 'inside.txt'))).content.toString()).toBe('ok');
      expect(readFileSync(secret, 'utf8')).toBe(SECRET);
    });

    it('refuses a file swapped for a link between the check and the open', async () => {
      writeFileSync(join(uploads, 'photo.jpg'), 'image');
      const swap = async (path: string) => {
        rmSync(path);
        symlinkSync(secret, path);
      };
      await expect(openConfined(uploads, 'photo.jpg', 'read', { beforeOpen: swap })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      writeFileSync(join(processed, 'result.txt'), 'old');
      await expect(openConfined(processed, 'result.txt', 'write', { beforeOpen: swap })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      expect(readFileSync(secret, 'utf8')).toBe(SECRET);
    });

    it('refuses a folder swapped for a link between the check and the open, without changing the file it leads to', async () => {
      mkdirSync(join(processed, 'day'));
      writeFileSync(join(processed, 'day', 'secret.txt'), 'inside');
      const outsideDay = join(dir, 'elsewhere');
      mkdirSync(outsideDay);
      writeFileSync(join(outsideDay, 'secret.txt'), SECRET);
      const swapFolder = async () => {
        renameSync(join(processed, 'day'), join(processed, 'day-old'));
        symlinkSync(outsideDay, join(processed, 'day'));
      };
      await expect(openConfined(processed, 'day/secret.txt', 'write', { beforeOpen: swapFolder })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
      expect(readFileSync(join(outsideDay, 'secret.txt'), 'utf8')).toBe(SECRET);
      rmSync(join(processed, 'day'));
      renameSync(join(processed, 'day-old'), join(processed, 'day'));
      await expect(openConfined(processed, 'day/secret.txt', 'read', { beforeOpen: swapFolder })).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
    });

    it('creates missing folders and files private to the process user', async () => {
      const path = await writeConfined(join(dir, 'fresh'), 'a/b/c.txt', 'data');
      expect(statSync(join(dir, 'fresh')).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'fresh', 'a', 'b')).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });
  });

  describe('the default folders', () => {
    it('live in a per-user base created 0700, not in a folder shared between users', async () => {
      const settings = withEnv({ UPLOAD_DIR: undefined, EXPORT_DIR: undefined }, async () => jobSettings());
      const { uploadDir, exportDir } = await settings;
      expect(uploadDir).toBe(join(DEFAULT_JOB_FILES_BASE, 'uploads'));
      expect(exportDir).toBe(join(DEFAULT_JOB_FILES_BASE, 'exports'));
      expect(DEFAULT_JOB_FILES_BASE).toBe(join(tmpdir(), `queue-jobs-${process.getuid?.() ?? ''}`));
      const base = join(dir, 'base');
      await ensurePrivateBase(base);
      expect(statSync(base).mode & 0o777).toBe(0o700);
    });

    it('refuses a base that others may enter, or that is a link planted in its place', async () => {
      const open = join(dir, 'open-base');
      mkdirSync(open);
      chmodSync(open, 0o777);
      await expect(ensurePrivateBase(open)).rejects.toMatchObject({ code: 'UNSAFE_FOLDER' });
      const planted = join(dir, 'planted-base');
      mkdirSync(join(dir, 'attacker'), { mode: 0o700 });
      symlinkSync(join(dir, 'attacker'), planted);
      await expect(ensurePrivateBase(planted)).rejects.toMatchObject({ code: 'UNSAFE_FOLDER' });
    });
  });
});
