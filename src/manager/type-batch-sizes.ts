import { z } from 'zod';
import { ConfigError } from '../errors';
import type { JobRegistry } from '../registry/job-registry';
import { typeBatchSizeSchema } from '../registry/job-definition-schema';

/** `{ email_send: 100, file_process: 10 }`: batch sizes by job type name. */
export type BatchSizes = Readonly<Record<string, number>>;

const batchSizesSchema = z.record(z.string(), typeBatchSizeSchema);

/**
 * How many jobs of each type one load may put into a band's Redis batch: a size set on the
 * queue (setBatchSizes) wins over the type's own `batchSize`; a type with neither takes the
 * default of the load (the loading worker's batchSize).
 */
export class TypeBatchSizes {
  private readonly overrides = new Map<string, number>();

  constructor(private readonly registry: JobRegistry) {}

  /**
   * Sets sizes by type name (merged with earlier calls). Every key must be a registered type and
   * every value a positive integer; otherwise ConfigError lists the problems and nothing changes.
   */
  set(sizes: BatchSizes): void {
    const parsed = batchSizesSchema.safeParse(sizes);
    const problems = parsed.success ? [] : parsed.error.issues.map((i) => `batchSizes.${i.path.join('.') || '(root)'}: ${i.message}`);
    const entries = Object.entries(parsed.success ? parsed.data : typeof sizes === 'object' && sizes !== null ? sizes : {});
    for (const [type] of entries) {
      if (!this.registry.has(type)) problems.push(`batchSizes.${type}: ${this.unknownTypeHint(type)}`);
    }
    if (problems.length > 0) throw new ConfigError(`Invalid batch sizes: ${problems.join('; ')}`, problems);
    for (const [type, size] of entries) this.overrides.set(type, size as number);
  }

  /** The size of every registered type that has one (set on the queue or declared by the type). */
  all(): Record<string, number> {
    const sizes: Record<string, number> = {};
    for (const type of this.registry.types()) {
      const size = this.sizeOf(type);
      if (size !== undefined) sizes[type] = size;
    }
    return sizes;
  }

  /** The cap of each type for one load: its size, else `defaultSize`. */
  capsFor(defaultSize: number): (type: string) => number {
    return (type) => this.sizeOf(type) ?? defaultSize;
  }

  private sizeOf(type: string): number | undefined {
    return this.overrides.get(type) ?? (this.registry.has(type) ? this.registry.get(type).batchSize : undefined);
  }

  private unknownTypeHint(type: string): string {
    const known = this.registry.types();
    // Tables often name types by their QueueJobType constant (EMAIL_SEND) rather than the type name.
    const near = known.find((name) => name === type.toLowerCase());
    return near
      ? `unknown job type; sizes are keyed by type name: did you mean "${near}"?`
      : `unknown job type; register it first (known types: ${known.join(', ') || '(none)'})`;
  }
}
