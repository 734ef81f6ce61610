import type { JobDefinition } from '../domain/job-definition';
import { DuplicateJobTypeError, InvalidJobDefinitionError, UnknownJobTypeError } from '../errors';
import { jobDefinitionSettingsSchema } from './job-definition-schema';

/** Job types by name. The worker runs, and addJob accepts, only registered types. */
export class JobRegistry {
  private readonly definitions = new Map<string, JobDefinition>();

  /** Adds a type; a bad setting (e.g. batchSize) throws InvalidJobDefinitionError and registers nothing. */
  register(definition: JobDefinition): this {
    const checked = jobDefinitionSettingsSchema.safeParse(definition);
    if (!checked.success) {
      const name = typeof definition?.type === 'string' && definition.type ? definition.type : '(unnamed)';
      throw new InvalidJobDefinitionError(name, checked.error.issues.map((i) => `${i.path.join('.') || 'definition'}: ${i.message}`));
    }
    const existing = this.definitions.get(definition.type);
    if (existing && existing !== definition) throw new DuplicateJobTypeError(definition.type);
    this.definitions.set(definition.type, definition);
    return this;
  }

  registerAll(definitions: readonly JobDefinition[]): this {
    for (const definition of definitions) this.register(definition);
    return this;
  }

  get(type: string): JobDefinition {
    const definition = this.definitions.get(type);
    if (!definition) throw new UnknownJobTypeError(type, this.types());
    return definition;
  }

  has(type: string): boolean {
    return this.definitions.has(type);
  }

  types(): string[] {
    return [...this.definitions.keys()].sort();
  }
}
