import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { shippedJobs } from '../../jobs';

/** The payload field names a schema accepts (both branches of a discriminated union). */
function fieldsOf(schema: z.ZodType): string[] {
  const def = (schema as unknown as { def: { type: string; options?: z.ZodType[]; in?: z.ZodType; innerType?: z.ZodType; shape?: Record<string, unknown> } }).def;
  if (def.shape) return Object.keys(def.shape);
  if (def.options) return def.options.flatMap(fieldsOf);
  if (def.in) return fieldsOf(def.in);
  if (def.innerType) return fieldsOf(def.innerType);
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

describe('job folder READMEs', () => {
  it.each(shippedJobs.map((j) => [j.type, j] as const))('documents every payload field of %s in its folder README table', (type, job) => {
    const folder = ['cache_warm', 'cleanup'].includes(type) ? 'maintenance' : 'business';
    const readme = readFileSync(join(__dirname, '..', '..', 'jobs', folder, 'README.md'), 'utf8');
    const section = readme.split(/\n## /).find((s) => s.startsWith(type));
    expect(section).toBeDefined();
    const documented = new Set([...section!.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]));
    const fields = [...new Set(fieldsOf(job.schema))];
    expect(fields.length).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual(fields.sort());
  });
});
