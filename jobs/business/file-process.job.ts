import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import sharp from 'sharp';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { PermanentJobError } from '../../src/errors';
import { confinedPath } from '../confined-path';
import { jobSettings } from '../settings';

const path = z.string().min(1).max(1024);
const dimension = z.number().int().positive().max(20_000);

export const fileProcessSchema = z.discriminatedUnion('operation', [
  z.object({ operation: z.literal('resize'), input: path, output: path, width: dimension.optional(), height: dimension.optional(), fit: z.enum(['cover', 'contain', 'fill', 'inside', 'outside']).default('inside') })
    .refine((d) => d.width !== undefined || d.height !== undefined, { message: 'give width and/or height' }),
  z.object({ operation: z.literal('thumbnail'), input: path, output: path, size: dimension.default(200) }),
  z.object({ operation: z.literal('convert'), input: path, output: path, format: z.enum(['jpeg', 'png', 'webp', 'avif', 'tiff']), quality: z.number().int().min(1).max(100).optional() }),
  z.object({ operation: z.literal('strip_metadata'), input: path, output: path }),
  z.object({ operation: z.literal('gzip'), input: path, output: path }),
]);

export type FileProcessData = z.infer<typeof fileProcessSchema>;

/** sharp's messages for input it cannot decode: never worth a retry. */
const UNSUPPORTED = /unsupported image format|Input buffer contains unsupported|corrupt|premature end|VipsJpeg|pngload|bad seek|Input file is missing|not a known file format/i;

/** Image operations with sharp and gzip of any file, inputs in UPLOAD_DIR and outputs in PROCESSED_DIR. */
export const fileProcessJob = defineJob({
  type: 'file_process',
  description: 'Resizes, thumbnails, converts or strips images; gzips files',
  schema: fileProcessSchema,
  defaults: { maxAttempts: 3, timeoutMs: 5 * 60_000, backoff: { type: 'exponential', delay: 5_000 } },
  batchSize: 10, // CPU- and memory-heavy (images, compression): the fewest per batch.
  async handle(data, context) {
    const settings = jobSettings();
    const input = confinedPath(settings.uploadDir, data.input);
    const output = confinedPath(settings.processedDir, data.output);
    const inputStat = await stat(input).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new PermanentJobError(`input file ${data.input} does not exist`, 'INPUT_NOT_FOUND');
      throw error;
    });
    await mkdir(dirname(output), { recursive: true });
    await context.reportProgress(10);
    if (data.operation === 'gzip') {
      await pipeline(createReadStream(input), createGzip(), createWriteStream(output), { signal: context.signal }).catch((error: unknown) => {
        throw context.signal.aborted ? context.signal.reason : error;
      });
      const { size } = await stat(output);
      return { operation: data.operation, output, inputBytes: inputStat.size, outputBytes: size };
    }
    try {
      let image = sharp(input, { failOn: 'error' });
      switch (data.operation) {
        case 'resize':
          image = image.resize({ width: data.width, height: data.height, fit: data.fit });
          break;
        case 'thumbnail':
          image = image.resize({ width: data.size, height: data.size, fit: 'cover' });
          break;
        case 'convert':
          image = image.toFormat(data.format, data.quality ? { quality: data.quality } : {});
          break;
        case 'strip_metadata':
          // sharp drops metadata unless withMetadata() is asked for; re-encoding is the strip.
          image = image.rotate();
          break;
      }
      if (context.signal.aborted) throw context.signal.reason;
      const info = await image.toFile(output);
      await context.reportProgress(100);
      return { operation: data.operation, output, format: info.format, width: info.width, height: info.height, outputBytes: info.size };
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason;
      if (UNSUPPORTED.test((error as Error).message)) throw new PermanentJobError(`cannot process ${data.input}: ${(error as Error).message}`, 'UNSUPPORTED_INPUT');
      throw error;
    }
  },
});
