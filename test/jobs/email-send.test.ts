import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { emailSendJob } from '../../jobs/business/email-send.job';
import { PermanentJobError, RetryJobError } from '../../src/errors';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { handlerContext, withEnv } from './job-context';

describe('email_send', () => {
  const harness = new QueueHarness('email_send');
  let manager: QueueManager;
  let dir: string;
  const received: Array<{ from: string; to: string[]; body: string }> = [];
  let rejectWith: number | undefined;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(_address, _session, callback) {
      if (rejectWith) {
        const error = new Error(rejectWith >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
        error.responseCode = rejectWith;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      let body = '';
      stream.on('data', (c: Buffer) => (body += c.toString()));
      stream.on('end', () => {
        received.push({ from: String(session.envelope.mailFrom && session.envelope.mailFrom.address), to: session.envelope.rcptTo.map((r) => r.address), body });
        callback();
      });
    },
  });
  let smtpUrl = '';

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    dir = mkdtempSync(join(tmpdir(), 'email-test-'));
    writeFileSync(join(dir, 'welcome.txt'), 'Hello {{name}}, your code is {{code}}.');
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    await harness.stop();
  });

  const env = () => ({ SMTP_URL: smtpUrl, EMAIL_TEMPLATE_DIR: dir, OUTBOX_DIR: join(dir, 'outbox'), EMAIL_FROM: 'queue@example.test' });

  it('sends through SMTP with a template and its variables', async () => {
    const result = await withEnv(env(), () =>
      emailSendJob.handle(emailSendJob.schema.parse({ to: ['ada@example.test', 'bob@example.test'], subject: 'Welcome', template: 'welcome', variables: { name: 'Ada', code: 42 } }), handlerContext(manager)),
    );
    expect(result).toMatchObject({ delivered: 'smtp', accepted: ['ada@example.test', 'bob@example.test'] });
    const mail = received.at(-1)!;
    expect(mail.to).toEqual(['ada@example.test', 'bob@example.test']);
    expect(mail.from).toBe('queue@example.test');
    expect(mail.body).toContain('Hello Ada, your code is 42.');
    expect(mail.body).toContain('Subject: Welcome');
  });

  it('HTML-escapes variables in an .html template and leaves them as they are in a .txt one', async () => {
    writeFileSync(join(dir, 'note.txt'), 'Hi {{name}}');
    writeFileSync(join(dir, 'note.html'), '<p title="{{name}}">Hi {{name}}</p>');
    const name = `<script>alert("x")</script> & 'co'`;
    await withEnv({ ...env(), SMTP_URL: undefined }, async () => {
      const context = handlerContext(manager);
      const result = await emailSendJob.handle(emailSendJob.schema.parse({ to: 'x@example.test', subject: 's', template: 'note', variables: { name } }), context);
      expect(result).toMatchObject({ delivered: 'outbox', template: { name: 'note', found: true } });
      const eml = readFileSync(join(dir, 'outbox', `${context.jobId}.eml`), 'utf8').replace(/=\r\n/g, '');
      expect(eml).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
      expect(eml).toContain(`Hi ${name}`);
      expect(eml).not.toContain('<script>alert("x")</script></p>');
    });
  });

  it('sends the body when the template has no file, and fails permanently when there is no body either', async () => {
    const body = emailSendJob.schema.parse({ to: 'x@example.test', subject: 's', body: 'fallback text', template: 'absent' });
    await expect(withEnv({ ...env(), SMTP_URL: undefined }, () => emailSendJob.handle(body, handlerContext(manager)))).resolves.toMatchObject({ template: { name: 'absent', found: false } });
    const none = emailSendJob.schema.parse({ to: 'x@example.test', subject: 's', template: 'absent' });
    await expect(withEnv(env(), () => emailSendJob.handle(none, handlerContext(manager)))).rejects.toMatchObject({
      code: 'TEMPLATE_NOT_FOUND',
      message: `email template "absent" not found: looked for absent.txt and absent.html in ${dir} (EMAIL_TEMPLATE_DIR), and the payload has no body, text or html to send instead`,
    });
  });

  it('classifies SMTP 5xx as permanent and 4xx as retry-later', async () => {
    const data = emailSendJob.schema.parse({ to: 'x@example.test', subject: 's', text: 't' });
    rejectWith = 550;
    await expect(withEnv(env(), () => emailSendJob.handle(data, handlerContext(manager)))).rejects.toBeInstanceOf(PermanentJobError);
    rejectWith = 451;
    await expect(withEnv(env(), () => emailSendJob.handle(data, handlerContext(manager)))).rejects.toBeInstanceOf(RetryJobError);
    rejectWith = undefined;
  });

  it('makes a missing template variable and an attachment outside its folder permanent errors', async () => {
    await expect(withEnv(env(), () => emailSendJob.handle(emailSendJob.schema.parse({ to: 'x@example.test', subject: 's', template: 'welcome', variables: { name: 'Ada' } }), handlerContext(manager)))).rejects.toMatchObject({ code: 'MISSING_TEMPLATE_VARIABLE' });
    await expect(withEnv({ ...env(), EMAIL_ATTACHMENT_DIR: dir }, () => emailSendJob.handle(emailSendJob.schema.parse({ to: 'x@example.test', subject: 's', text: 't', attachments: [{ path: '../../etc/passwd' }] }), handlerContext(manager)))).rejects.toMatchObject({ code: 'PATH_NOT_ALLOWED' });
  });

  it('rejects invalid addresses at addJob, writing nothing', async () => {
    await expect(manager.addJob({ type: 'email_send', data: { to: 'not-an-address', subject: 's', text: 't' } } as never)).rejects.toMatchObject({ code: 'UNKNOWN_JOB_TYPE' });
    manager.registerJob(emailSendJob as never);
    await expect(manager.addJob({ type: 'email_send', data: { to: 'not-an-address', subject: 's', text: 't' } })).rejects.toMatchObject({ code: 'INVALID_JOB_DATA' });
    await expect(manager.addJob({ type: 'email_send', data: { to: 'a@example.test', subject: 's' } } as never)).rejects.toMatchObject({ code: 'INVALID_JOB_DATA' });
  });

  it('writes an .eml file to the outbox without SMTP_URL, end to end through a worker', async () => {
    await withEnv({ ...env(), SMTP_URL: undefined }, async () => {
      await harness.worker(manager, 1);
      const { jobId } = await manager.addJob({ type: 'email_send', data: { to: 'c@example.test', subject: 'Outbox', text: 'kept on disk' } });
      const doc = await waitFor(async () => {
        const d = await manager.jobRepository.findByJobId(jobId);
        return d?.status === 'completed' ? d : null;
      }, 'the email job to complete');
      expect(doc.result).toMatchObject({ delivered: 'outbox' });
      const files = readdirSync(join(dir, 'outbox'));
      expect(files).toContain(`${jobId}.eml`);
      expect(readFileSync(join(dir, 'outbox', `${jobId}.eml`), 'utf8')).toContain('kept on disk');
    });
  });
});
