import type { JobDefinition } from '../domain/job-definition';
import { DuplicateJobTypeError, UnknownJobTypeError } from '../errors';

/** Job types by name. The worker runs, and addJob accepts, only registered types. */
export class JobRegistry {
  private readonly definitions = new Map<string, JobDefinition>();

  register(definition: JobDefinition): this {
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
