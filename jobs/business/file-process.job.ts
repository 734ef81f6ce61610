import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import sharp from 'sharp';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { PermanentJobError } from '../../src/errors';
import { folderPathSchema, inFolder, openConfined, writeConfined, type ConfinedFile } from '../confined-path';
import { jobSettings } from '../settings';

const dimension = z.number().int().positive().max(20_000);
const quality = z.number().int().min(1).max(100);
const fit = z.enum(['cover', 'contain', 'fill', 'inside', 'outside']);
const FORMATS = ['jpeg', 'png', 'webp', 'avif', 'tiff'] as const;
type ImageFormat = (typeof FORMATS)[number];

/** Where the file is: `filePath` (or `input`) inside UPLOAD_DIR, `output` inside PROCESSED_DIR. */
const location = {
  fileId: z.string().min(1).max(200).optional(),
  filePath: folderPathSchema.optional(),
  input: folderPathSchema.optional(),
  output: folderPathSchema.optional(),
};

type Loose = Record<string, unknown> & { options?: Record<string, unknown> };

/**
 * The checks every operation shares: an input is named, the two names of the input agree, and
 * an option given both at the top level and in `options` has one value.
 */
function located<T extends z.ZodObject>(schema: T) {
  return schema.superRefine((value, ctx) => {
    const d = value as Loose;
    if (d.input === undefined && d.filePath === undefined) ctx.addIssue({ code: 'custom', message: 'give filePath (or input): the file inside UPLOAD_DIR', path: ['filePath'] });
    if (d.input !== undefined && d.filePath !== undefined && d.input !== d.filePath) {
      ctx.addIssue({ code: 'custom', message: 'filePath and input are the same field (the file inside UPLOAD_DIR): give one of them', path: ['input'] });
    }
    for (const [key, inOptions] of Object.entries(d.options ?? {})) {
      if (d[key] !== undefined && inOptions !== undefined && d[key] !== inOptions) {
        ctx.addIssue({ code: 'custom', message: `${key} is given twice with different values (top level and options.${key}): give it once`, path: ['options', key] });
      }
    }
  });
}

const resizeOptions = { width: dimension.optional(), height: dimension.optional(), fit: fit.optional(), quality: quality.optional() };
const thumbnailOptions = { size: dimension.optional(), quality: quality.optional() };
const convertOptions = { format: z.enum(FORMATS).optional(), quality: quality.optional() };

export const fileProcessSchema = z.discriminatedUnion('operation', [
  located(z.object({ operation: z.literal('resize'), ...location, ...resizeOptions, options: z.object(resizeOptions).strict().optional() })).refine(
    (d) => (d.width ?? d.options?.width ?? d.height ?? d.options?.height) !== undefined,
    { message: 'give width and/or height (at the top level or in options)', path: ['options'] },
  ),
  located(z.object({ operation: z.literal('thumbnail'), ...location, ...thumbnailOptions, options: z.object(thumbnailOptions).strict().optional() })),
  located(z.object({ operation: z.literal('convert'), ...location, ...convertOptions, options: z.object(convertOptions).strict().optional() })).refine(
    (d) => (d.format ?? d.options?.format) !== undefined,
    { message: 'give format (at the top level or in options)', path: ['options'] },
  ),
  located(z.object({ operation: z.literal('strip_metadata'), ...location })),
  located(z.object({ operation: z.literal('gzip'), ...location })),
]);

export type FileProcessData = z.infer<typeof fileProcessSchema>;

/** One operation with its options merged (top level or `options`) and its defaults applied. */
interface FileRequest {
  operation: FileProcessData['operation'];
  fileId?: string;
  input: string;
  output: string;
  width?: number;
  height?: number;
  fit: z.infer<typeof fit>;
  size: number;
  format?: ImageFormat;
  quality?: number;
}

const EXTENSION_FORMATS: Record<string, ImageFormat> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png', '.webp': 'webp', '.avif': 'avif', '.tif': 'tiff', '.tiff': 'tiff' };

/** The output a payload without `output` gets: the input's own path inside PROCESSED_DIR, renamed as the operation changes it. */
function defaultOutput(input: string, operation: FileRequest['operation'], format?: ImageFormat): string {
  const relative = input.replace(/^[\\/]+/, '');
  if (operation === 'gzip') return `${relative}.gz`;
  if (operation === 'convert' && format) return `${relative.slice(0, relative.length - extname(relative).length)}.${format === 'jpeg' ? 'jpg' : format}`;
  return relative;
}

export function fileRequest(data: FileProcessData): FileRequest {
  const d = data as FileProcessData & Loose;
  const pick = <T>(key: string): T | undefined => (d[key] ?? d.options?.[key]) as T | undefined;
  const input = d.filePath ?? d.input ?? '';
  const format = pick<ImageFormat>('format');
  return {
    operation: data.operation,
    fileId: d.fileId,
    input,
    output: d.output ?? defaultOutput(input, data.operation, format),
    width: pick('width'),
    height: pick('height'),
    fit: pick<FileRequest['fit']>('fit') ?? 'inside',
    size: pick<number>('size') ?? 200,
    format,
    quality: pick('quality'),
  };
}

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
    const request = fileRequest(data);
    const source: ConfinedFile = await openConfined(settings.uploadDir, inFolder(request.input), 'read').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new PermanentJobError(`input file ${request.input} does not exist (looked inside UPLOAD_DIR ${settings.uploadDir})`, 'INPUT_NOT_FOUND');
      throw error;
    });
    const input = source.path;
    const inputBytes = (await source.handle.stat()).size;
    await context.reportProgress(10);
    const result = { operation: request.operation, ...(request.fileId === undefined ? {} : { fileId: request.fileId }), input };
    if (request.operation === 'gzip') {
      const target = await openConfined(settings.processedDir, inFolder(request.output), 'write').catch(async (error: unknown) => {
        await source.handle.close();
        throw error;
      });
      let outputBytes = 0;
      const counted = target.handle.createWriteStream();
      counted.on('finish', () => (outputBytes = counted.bytesWritten));
      await pipeline(source.handle.createReadStream(), createGzip(), counted, { signal: context.signal }).catch((error: unknown) => {
        throw context.signal.aborted ? context.signal.reason : error;
      });
      await context.reportProgress(100);
      return { ...result, output: target.path, inputBytes, outputBytes };
    }
    // sharp reads the opened file's bytes, never the path again (a path could be swapped after the check).
    const bytes = await source.handle.readFile().finally(() => source.handle.close());
    try {
      let image = sharp(bytes, { failOn: 'error' });
      switch (request.operation) {
        case 'resize':
          image = image.resize({ width: request.width, height: request.height, fit: request.fit });
          break;
        case 'thumbnail':
          image = image.resize({ width: request.size, height: request.size, fit: 'cover' });
          break;
        case 'strip_metadata':
          // sharp drops metadata unless withMetadata() is asked for; re-encoding is the strip.
          image = image.rotate();
          break;
        case 'convert':
          break;
      }
      // The encoder the output gets: the asked format, else the output's extension, else the input's own.
      const format = request.format ?? EXTENSION_FORMATS[extname(request.output).toLowerCase()];
      if (format !== undefined) image = image.toFormat(format, request.quality === undefined ? {} : { quality: request.quality });
      else if (request.quality !== undefined) {
        const inputFormat = (await image.metadata()).format;
        if (!FORMATS.includes(inputFormat as ImageFormat)) {
          throw new PermanentJobError(`quality applies to ${FORMATS.join(', ')} output; ${request.output} would be ${inputFormat ?? 'an unknown format'}`, 'UNSUPPORTED_OPTION');
        }
        image = image.toFormat(inputFormat as ImageFormat, { quality: request.quality });
      }
      if (context.signal.aborted) throw context.signal.reason;
      const { data: encoded, info } = await image.toBuffer({ resolveWithObject: true });
      const output = await writeConfined(settings.processedDir, inFolder(request.output), encoded);
      await context.reportProgress(100);
      return { ...result, output, format: info.format, width: info.width, height: info.height, quality: request.quality, inputBytes, outputBytes: info.size };
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason;
      if (error instanceof PermanentJobError) throw error;
      if (UNSUPPORTED.test((error as Error).message)) throw new PermanentJobError(`cannot process ${request.input}: ${(error as Error).message}`, 'UNSUPPORTED_INPUT');
      throw error;
    }
  },
});
