import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { EJSON } from 'bson';
import { z } from 'zod';
import { defineJob, type JobContext } from '../../src/domain/job-definition';
import { PermanentJobError } from '../../src/errors';
import { confinedPath } from '../confined-path';
import { jobSettings } from '../settings';
import { exportFilterSchema, toMongoFilter } from './export-filter';

const fileName = z.string().min(1).max(255).regex(/^[^\0]+$/);

export const dataExportSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('collection'),
    collection: z.string().min(1).max(120),
    filter: exportFilterSchema.default({}),
    fields: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/)).max(200).optional(),
    format: z.enum(['csv', 'json', 'ndjson']),
    output: fileName,
    limit: z.number().int().positive().max(100_000_000).optional(),
  }),
  z.object({
    mode: z.literal('gdpr'),
    userId: z.string().min(1).max(200),
    format: z.enum(['json', 'ndjson']).default('json'),
    output: fileName,
  }),
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

/** Streams documents of an allow-listed collection (or one user's documents across collections) to a file. */
export const dataExportJob = defineJob({
  type: 'data_export',
  description: 'Exports MongoDB documents to CSV, JSON or NDJSON',
  schema: dataExportSchema,
  defaults: { maxAttempts: 3, timeoutMs: 30 * 60_000, backoff: { type: 'exponential', delay: 10_000 } },
  batchSize: 25, // Long, heavy runs: few per batch, so one load does not reserve many of them.
  async handle(data, context) {
    const settings = jobSettings();
    const path = confinedPath(settings.exportDir, data.output);
    await mkdir(dirname(path), { recursive: true });
    const db = context.services.mongo;
    const hash = createHash('sha256');
    let rows = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    let source: Readable;
    let total = 0;
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
    } else {
      if (settings.gdprCollections.length === 0) throw new PermanentJobError('GDPR_COLLECTIONS is empty: nothing to gather', 'GDPR_NOT_CONFIGURED');
      const userId = data.userId;
      source = Readable.from(
        (async function* gather() {
          for (const { collection, userField } of settings.gdprCollections) {
            for await (const document of db.collection(collection).find({ [userField]: { $eq: userId } })) yield { collection, document };
          }
        })(),
      );
    }
    const format = data.format;
    await pipeline(
      source,
      counter(context, total, () => (rows += 1)),
      serializer(format, data.mode === 'collection' ? data.fields : undefined),
      hashing,
      createWriteStream(path),
      { signal: context.signal },
    ).catch((error: unknown) => {
      // The abort's reason (timeout, shutdown) says more than the stream's AbortError.
      throw context.signal.aborted ? context.signal.reason : error;
    });
    const { size } = await stat(path);
    await context.reportProgress(100);
    return { file: path, format, rows, bytes: size, sha256: hash.digest('hex') };
  },
});
