import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { EJSON } from 'bson';
import { z } from 'zod';
import { defineJob, type JobContext } from '../../src/domain/job-definition';
import { PermanentJobError } from '../../src/errors';
import { folderPathSchema, inFolder, openConfined } from '../confined-path';
import { jobSettings, type JobSettings, type UserSource } from '../settings';
import { exportFilterSchema, toMongoFilter } from './export-filter';
import { dateCondition, parseDateRange, userExportFiltersSchema, type UserExportFilters } from './user-export-filters';

/** Where the file goes inside EXPORT_DIR: `output`, or `outputPath` (the same field under the examples' name). */
const destination = { output: folderPathSchema.optional(), outputPath: folderPathSchema.optional() };

function withDestination<T extends z.ZodObject>(schema: T) {
  return schema.superRefine((value, ctx) => {
    const d = value as { output?: string; outputPath?: string };
    if (d.output === undefined && d.outputPath === undefined) ctx.addIssue({ code: 'custom', message: 'give outputPath (or output): the file inside EXPORT_DIR', path: ['outputPath'] });
    if (d.output !== undefined && d.outputPath !== undefined && d.output !== d.outputPath) {
      ctx.addIssue({ code: 'custom', message: 'outputPath and output are the same field (the file inside EXPORT_DIR): give one of them', path: ['output'] });
    }
  });
}

export const dataExportSchema = z.discriminatedUnion('mode', [
  withDestination(
    z.object({
      mode: z.literal('collection'),
      collection: z.string().min(1).max(120),
      filter: exportFilterSchema.default({}),
      fields: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/)).max(200).optional(),
      format: z.enum(['csv', 'json', 'ndjson']),
      ...destination,
      limit: z.number().int().positive().max(100_000_000).optional(),
    }),
  ),
  withDestination(
    z.object({
      mode: z.literal('gdpr'),
      userId: z.string().min(1).max(200),
      format: z.enum(['json', 'ndjson']).default('json'),
      ...destination,
    }),
  ),
  // A payload with a userId and no mode is a user export (the product's documented example).
  withDestination(
    z.object({
      mode: z.literal('user').optional(),
      userId: z.string().min(1).max(200),
      format: z.enum(['csv', 'json', 'ndjson']).default('csv'),
      filters: userExportFiltersSchema.default({ includeTransactions: false }),
      ...destination,
    }),
  ),
]);

export type DataExportData = z.infer<typeof dataExportSchema>;

/** Counts rows and reports progress every `every` rows as documents stream through. */
function counter(context: JobContext, total: number, onRow: () => void): Transform {
  let rows = 0;
  return new Transform({
    objectMode: true,
    transform(doc, _enc, done) {
      rows += 1;
      onRow();
      if (rows % 1000 === 0) void context.reportProgress({ rows, total, percent: total ? Math.round((rows / total) * 100) : null });
      done(null, doc);
    },
  });
}

function serializer(format: 'csv' | 'json' | 'ndjson', fields?: string[]): Transform {
  if (format === 'csv') {
    return stringify({ header: true, columns: fields, cast: { date: (d) => d.toISOString(), object: (o) => EJSON.stringify(o, { relaxed: true }) } });
  }
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(doc, _enc, done) {
      const line = EJSON.stringify(doc, { relaxed: true });
      if (format === 'ndjson') return done(null, `${line}\n`);
      const chunk = `${first ? '[\n' : ',\n'}${line}`;
      first = false;
      done(null, chunk);
    },
    flush(done) {
      if (format === 'json') this.push(first ? '[]\n' : '\n]\n');
      done();
    },
  });
}

/** Streams the given sources' documents for one user as `{ collection, document }` rows, counting each collection. */
function gatherUser(db: JobContext['services']['mongo'], userId: string, sources: UserSource[], counts: Record<string, number>, dateRange?: string): Readable {
  const bounds = dateRange === undefined ? undefined : parseDateRange(dateRange);
  return Readable.from(
    (async function* gather() {
      for (const { collection, userField, dateField } of sources) {
        const filter: Record<string, unknown> = { [userField]: { $eq: userId } };
        // A source without a date field (a profile, settings) is exported whole.
        if (bounds && dateField) filter[dateField] = dateCondition(bounds);
        counts[collection] ??= 0;
        for await (const document of db.collection(collection).find(filter, { batchSize: 1000 })) {
          counts[collection] += 1;
          yield { collection, document };
        }
      }
    })(),
  );
}

/** The collections a user export reads: the user's own, and the transactions when asked for. */
function userExportSources(settings: JobSettings, filters: UserExportFilters): UserSource[] {
  if (filters.includeTransactions && settings.exportTransactionCollections.length === 0) {
    throw new PermanentJobError('filters.includeTransactions asks for transactions, but EXPORT_TRANSACTION_COLLECTIONS is empty: nothing says where they are', 'EXPORT_NOT_CONFIGURED');
  }
  const sources = [...settings.exportUserCollections, ...(filters.includeTransactions ? settings.exportTransactionCollections : [])];
  if (sources.length === 0) {
    throw new PermanentJobError('EXPORT_USER_COLLECTIONS is empty (and no transactions were asked for): nothing to gather for a user export', 'EXPORT_NOT_CONFIGURED');
  }
  return sources;
}

/**
 * Streams documents to a file in EXPORT_DIR: an allow-listed collection, one user's documents
 * (optionally with transactions, within a date range), or everything about a user (gdpr).
 */
export const dataExportJob = defineJob({
  type: 'data_export',
  description: 'Exports MongoDB documents to CSV, JSON or NDJSON',
  schema: dataExportSchema,
  defaults: { maxAttempts: 3, timeoutMs: 30 * 60_000, backoff: { type: 'exponential', delay: 10_000 } },
  batchSize: 25, // Long, heavy runs: few per batch, so one load does not reserve many of them.
  async handle(data, context) {
    const settings = jobSettings();
    const requested = data.outputPath ?? data.output ?? '';
    const db = context.services.mongo;
    const hash = createHash('sha256');
    let rows = 0;
    let bytes = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    let source: Readable;
    let total = 0;
    let columns: string[] | undefined;
    let collections: Record<string, number> | undefined;
    if (data.mode === 'collection') {
      if (!settings.exportCollections.includes(data.collection)) {
        throw new PermanentJobError(`collection "${data.collection}" is not in EXPORT_COLLECTIONS`, 'COLLECTION_NOT_ALLOWED');
      }
      const filter = toMongoFilter(data.filter);
      const collection = db.collection(data.collection);
      total = await collection.countDocuments(filter);
      const projection = data.fields ? Object.fromEntries(data.fields.map((f) => [f, 1])) : undefined;
      const cursor = collection.find(filter, { projection, batchSize: 1000, limit: data.limit });
      source = Readable.from(cursor);
      columns = data.fields;
    } else if (data.mode === 'gdpr') {
      if (settings.gdprCollections.length === 0) throw new PermanentJobError('GDPR_COLLECTIONS is empty: nothing to gather', 'GDPR_NOT_CONFIGURED');
      collections = {};
      source = gatherUser(db, data.userId, settings.gdprCollections, collections);
    } else {
      collections = {};
      source = gatherUser(db, data.userId, userExportSources(settings, data.filters), collections, data.filters.dateRange);
      columns = ['collection', 'document'];
    }
    const format = data.format;
    // Opened once the request is known to be valid, so a refused export leaves no empty file behind.
    const target = await openConfined(settings.exportDir, inFolder(requested), 'write');
    const path = target.path;
    await pipeline(
      source,
      counter(context, total, () => (rows += 1)),
      serializer(format, columns),
      hashing,
      target.handle.createWriteStream(),
      { signal: context.signal },
    ).catch((error: unknown) => {
      // The abort's reason (timeout, shutdown) says more than the stream's AbortError.
      throw context.signal.aborted ? context.signal.reason : error;
    });
    await context.reportProgress(100);
    return { file: path, relativePath: relative(await realpath(settings.exportDir), path), format, rows, bytes, sha256: hash.digest('hex'), ...(collections ? { collections } : {}) };
  },
});
