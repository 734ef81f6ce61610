import { basename } from 'node:path';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { PermanentJobError, RetryJobError } from '../../src/errors';
import { readConfined, writeConfined } from '../confined-path';
import { jobSettings } from '../settings';
import { escapeHtml, fillTemplate, findTemplate } from './email-template';

const address = z.string().email();
const addresses = z.union([address, z.array(address).min(1).max(100)]);

export const emailSendSchema = z
  .object({
    to: addresses,
    cc: addresses.optional(),
    bcc: addresses.optional(),
    replyTo: address.optional(),
    subject: z.string().min(1).max(998),
    text: z.string().max(1_000_000).optional(),
    /** The plain-text body under the name the product's examples use; the same as `text`. */
    body: z.string().max(1_000_000).optional(),
    html: z.string().max(1_000_000).optional(),
    template: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').optional(),
    variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    attachments: z.array(z.object({ path: z.string().min(1), filename: z.string().min(1).optional() })).max(20).default([]),
  })
  .refine((d) => d.text !== undefined || d.body !== undefined || d.html !== undefined || d.template !== undefined, { message: 'give body (or text), html or a template' })
  .refine((d) => d.text === undefined || d.body === undefined || d.text === d.body, { message: 'body and text are the same field (the plain-text body): give one of them', path: ['body'] });

export type EmailSendData = z.infer<typeof emailSendSchema>;

/** SMTP replies 4xx and connection problems are worth retrying; 5xx and bad addresses never are. */
function classify(error: unknown): Error {
  const e = error as { responseCode?: number; code?: string; message?: string };
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
    return new PermanentJobError(`SMTP rejected the message (${e.responseCode}): ${e.message}`, `SMTP_${e.responseCode}`);
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new RetryJobError(`SMTP deferred the message (${e.responseCode}): ${e.message}`, 30_000, `SMTP_${e.responseCode}`);
  }
  if (e.code === 'EENVELOPE' || e.code === 'EADDRESS') return new PermanentJobError(`invalid envelope: ${e.message}`, e.code);
  return error instanceof Error ? error : new Error(String(error));
}

/** Sends one email through SMTP_URL, or writes it as an .eml file to OUTBOX_DIR when SMTP_URL is unset. */
export const emailSendJob = defineJob({
  type: 'email_send',
  description: 'Sends an email (SMTP, or an .eml file in the outbox)',
  schema: emailSendSchema,
  defaults: { maxAttempts: 5, timeoutMs: 60_000, backoff: { type: 'exponential', delay: 5_000, jitter: 0.2 } },
  batchSize: 100, // Quick to run: many per batch.
  async handle(data, context) {
    const settings = jobSettings();
    let text = data.text ?? data.body;
    let html = data.html;
    let template: { name: string; found: boolean } | undefined;
    if (data.template) {
      const files = await findTemplate(settings.templateDir, data.template);
      template = { name: data.template, found: files !== undefined };
      if (files) {
        text = files.text === undefined ? text : fillTemplate(files.text, data.variables);
        html = files.html === undefined ? html : fillTemplate(files.html, data.variables, escapeHtml);
      } else if (text === undefined && html === undefined) {
        throw new PermanentJobError(
          `email template "${data.template}" not found: looked for ${data.template}.txt and ${data.template}.html in ${settings.templateDir} (EMAIL_TEMPLATE_DIR), and the payload has no body, text or html to send instead`,
          'TEMPLATE_NOT_FOUND',
        );
      } else {
        // The payload's own body is the fallback the caller gave: send it, and say so.
        context.logger.warn({ template: data.template, templateDir: settings.templateDir }, 'email template not found; sending the payload body');
      }
    }
    // Read through the confined open (never handed to nodemailer as a path it would open itself).
    const attachments = await Promise.all(
      data.attachments.map(async (a) => {
        const file = await readConfined(settings.attachmentDir, a.path).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') throw new PermanentJobError(`attachment ${a.path} does not exist in EMAIL_ATTACHMENT_DIR ${settings.attachmentDir}`, 'ATTACHMENT_NOT_FOUND');
          throw error;
        });
        return { content: file.content, filename: a.filename ?? basename(file.path) };
      }),
    );
    const message = { from: settings.emailFrom, to: data.to, cc: data.cc, bcc: data.bcc, replyTo: data.replyTo, subject: data.subject, text, html, attachments };
    await context.reportProgress(20);
    if (context.signal.aborted) throw context.signal.reason;

    if (!settings.smtpUrl) {
      const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
      const info = await transport.sendMail(message).catch((error: unknown) => {
        throw classify(error);
      });
      const file = await writeConfined(settings.outboxDir, `${context.jobId.replace(/[^A-Za-z0-9_.-]/g, '_')}.eml`, info.message as Buffer);
      await context.reportProgress(100);
      return { delivered: 'outbox', file, messageId: info.messageId, template };
    }
    const url = new URL(settings.smtpUrl);
    url.searchParams.set('connectionTimeout', '10000');
    url.searchParams.set('greetingTimeout', '10000');
    url.searchParams.set('socketTimeout', '30000');
    const transport = nodemailer.createTransport(url.toString());
    const abort = () => transport.close();
    context.signal.addEventListener('abort', abort, { once: true });
    try {
      const info = await transport.sendMail(message);
      await context.reportProgress(100);
      return { delivered: 'smtp', messageId: info.messageId, accepted: info.accepted, rejected: info.rejected, response: info.response, template };
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason;
      throw classify(error);
    } finally {
      context.signal.removeEventListener('abort', abort);
      transport.close();
    }
  },
});
