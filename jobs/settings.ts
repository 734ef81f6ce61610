import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../src/errors';
import { DEFAULT_JOB_FILES_BASE } from './private-folder';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/** How the tables (and the README) name the default folders; resolved to DEFAULT_JOB_FILES_BASE when read. */
const DOCUMENTED_BASE = '<tmpdir>/queue-jobs-<uid>';
const base = (folder: string) => `${DOCUMENTED_BASE}/${folder}`;

/**
 * The shipped job handlers' environment variables: one row each, with its default. Read at
 * every run (cheap), so a handler always sees the environment it runs in.
 */
export const JOB_ENVIRONMENT_VARIABLES = [
  { name: 'SMTP_URL', schema: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://'), description: 'SMTP server for email_send (smtp://user:pass@host:port); unset: .eml files in OUTBOX_DIR', default: '' },
  { name: 'EMAIL_FROM', schema: z.string().min(3), description: 'Sender address of email_send', default: 'queue@localhost' },
  { name: 'OUTBOX_DIR', schema: z.string().min(1), description: 'Where email_send writes .eml files when SMTP_URL is unset', default: base('outbox') },
  { name: 'EMAIL_TEMPLATE_DIR', schema: z.string().min(1), description: 'Email templates (<name>.txt / <name>.html with {{variables}})', default: base('templates') },
  { name: 'EMAIL_ATTACHMENT_DIR', schema: z.string().min(1), description: 'The only folder email attachments may come from', default: base('attachments') },
  { name: 'NOTIFY_PUSH_URL', schema: z.string().url(), description: 'Push provider webhook for user_notification', default: '' },
  { name: 'NOTIFY_SMS_URL', schema: z.string().url(), description: 'SMS provider webhook for user_notification', default: '' },
  { name: 'NOTIFY_CONTACTS', schema: z.string().regex(/^[A-Za-z0-9_.-]+:[A-Za-z0-9_.]+$/, 'must be collection:userField'), description: 'collection:userField where user_notification looks up a user\'s email, phone and deviceToken when the payload has none', default: '' },
  { name: 'NOTIFY_TIMEOUT_MS', schema: int(1, 120_000), description: 'Timeout of one provider call', default: '5000' },
  { name: 'EXPORT_DIR', schema: z.string().min(1), description: 'Where data_export writes its files', default: base('exports') },
  { name: 'EXPORT_COLLECTIONS', schema: list, description: 'Collections data_export may read (comma-separated)', default: '' },
  { name: 'GDPR_COLLECTIONS', schema: list, description: 'collection:userField pairs gathered by a gdpr export (comma-separated)', default: '' },
  { name: 'EXPORT_USER_COLLECTIONS', schema: list, description: 'collection:userField[:dateField] entries a user export (data_export with a userId) gathers (comma-separated)', default: '' },
  { name: 'EXPORT_TRANSACTION_COLLECTIONS', schema: list, description: 'collection:userField[:dateField] entries a user export adds with filters.includeTransactions (comma-separated)', default: '' },
  { name: 'UPLOAD_DIR', schema: z.string().min(1), description: 'The only folder file_process reads from', default: base('uploads') },
  { name: 'PROCESSED_DIR', schema: z.string().min(1), description: 'Where file_process writes', default: base('processed') },
  { name: 'CLEANUP_COMPLETED_AGE_HOURS', schema: int(1, 87_600), description: 'cleanup deletes completed jobs older than this', default: '24' },
  { name: 'CLEANUP_COMPLETED_KEEP', schema: int(0, 10_000_000), description: 'cleanup keeps at most this many completed jobs', default: '1000' },
  { name: 'CLEANUP_FAILED_AGE_DAYS', schema: int(1, 3650), description: 'cleanup deletes failed (dead-lettered) jobs older than this; their DLQ entries stay', default: '7' },
  { name: 'CLEANUP_FILE_AGE_HOURS', schema: int(1, 87_600), description: 'cleanup deletes export/processed files older than this', default: '168' },
  { name: 'CLEANUP_NOTIFICATION_AGE_DAYS', schema: int(1, 3650), description: 'cleanup deletes read in-app notifications older than this', default: '30' },
  { name: 'CLEANUP_DLQ_INCLUDE_CRITICAL', schema: bool, description: 'Let cleanup delete unreviewed critical DLQ entries past retention', default: 'false' },
] as const;

export interface JobSettings {
  smtpUrl?: string;
  emailFrom: string;
  outboxDir: string;
  templateDir: string;
  attachmentDir: string;
  pushUrl?: string;
  smsUrl?: string;
  /** Where a user's email, phone and deviceToken are looked up (unset: payload only). */
  notifyContacts?: { collection: string; userField: string };
  notifyTimeoutMs: number;
  exportDir: string;
  exportCollections: string[];
  gdprCollections: UserSource[];
  exportUserCollections: UserSource[];
  exportTransactionCollections: UserSource[];
  uploadDir: string;
  processedDir: string;
  completedAgeHours: number;
  completedKeep: number;
  failedAgeDays: number;
  fileAgeHours: number;
  notificationAgeDays: number;
  dlqIncludeCritical: boolean;
}

/** A collection holding a user's documents: which field names the user, which one dates a document. */
export interface UserSource {
  collection: string;
  userField: string;
  dateField?: string;
}

function userSources(variable: string, entries: unknown): UserSource[] {
  return ((entries as string[] | undefined) ?? []).map((entry) => {
    const [collection, userField, dateField, ...rest] = entry.split(':');
    if (!collection || !userField || dateField === '' || rest.length > 0) {
      throw new ConfigError(`${variable}: "${entry}" must be collection:userField or collection:userField:dateField`, [`${variable}: ${entry}`]);
    }
    return dateField === undefined ? { collection, userField } : { collection, userField, dateField };
  });
}

function splitPair(pair: string): { collection: string; userField: string } {
  const [collection = '', userField = ''] = pair.split(':');
  return { collection, userField };
}

/** Parses the handlers' variables; a bad value throws ConfigError naming the variable. */
export function jobSettings(env: Record<string, string | undefined> = process.env): JobSettings {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const variable of JOB_ENVIRONMENT_VARIABLES) {
    const given = env[variable.name];
    const raw = given === undefined || given === '' ? variable.default.replace(DOCUMENTED_BASE, DEFAULT_JOB_FILES_BASE) : given;
    if (raw === '') continue;
    const parsed = (variable.schema as z.ZodType).safeParse(raw);
    if (parsed.success) values[variable.name] = parsed.data;
    else problems.push(`${variable.name}: ${parsed.error.issues.map((i) => i.message).join(', ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid job handler environment: ${problems.join('; ')}`, problems);
  const gdpr = userSources('GDPR_COLLECTIONS', values.GDPR_COLLECTIONS);
  return {
    smtpUrl: values.SMTP_URL as string | undefined,
    emailFrom: values.EMAIL_FROM as string,
    outboxDir: resolve(values.OUTBOX_DIR as string),
    templateDir: resolve(values.EMAIL_TEMPLATE_DIR as string),
    attachmentDir: resolve(values.EMAIL_ATTACHMENT_DIR as string),
    pushUrl: values.NOTIFY_PUSH_URL as string | undefined,
    smsUrl: values.NOTIFY_SMS_URL as string | undefined,
    notifyContacts: values.NOTIFY_CONTACTS === undefined ? undefined : splitPair(values.NOTIFY_CONTACTS as string),
    notifyTimeoutMs: values.NOTIFY_TIMEOUT_MS as number,
    exportDir: resolve(values.EXPORT_DIR as string),
    exportCollections: (values.EXPORT_COLLECTIONS as string[] | undefined) ?? [],
    gdprCollections: gdpr,
    exportUserCollections: userSources('EXPORT_USER_COLLECTIONS', values.EXPORT_USER_COLLECTIONS),
    exportTransactionCollections: userSources('EXPORT_TRANSACTION_COLLECTIONS', values.EXPORT_TRANSACTION_COLLECTIONS),
    uploadDir: resolve(values.UPLOAD_DIR as string),
    processedDir: resolve(values.PROCESSED_DIR as string),
    completedAgeHours: values.CLEANUP_COMPLETED_AGE_HOURS as number,
    completedKeep: values.CLEANUP_COMPLETED_KEEP as number,
    failedAgeDays: values.CLEANUP_FAILED_AGE_DAYS as number,
    fileAgeHours: values.CLEANUP_FILE_AGE_HOURS as number,
    notificationAgeDays: values.CLEANUP_NOTIFICATION_AGE_DAYS as number,
    dlqIncludeCritical: (values.CLEANUP_DLQ_INCLUDE_CRITICAL as boolean | undefined) ?? false,
  };
}
