import { ENVIRONMENT_VARIABLES } from './environment';

export interface DocumentedVariable {
  name: string;
  description: string;
  default: string;
}

/**
 * Every environment variable the product reads, from the tables next to the code that reads
 * them: the queue's (src/config/environment.ts) and, when present, the job handlers'
 * (jobs/settings.ts). README, .env.example and the Kubernetes ConfigMap/Secret are checked
 * against this list.
 */
export function documentedVariables(): DocumentedVariable[] {
  const tables: Array<ReadonlyArray<DocumentedVariable>> = [ENVIRONMENT_VARIABLES.map((v) => ({ name: v.name, description: v.description, default: v.default }))];
  try {
    // Loaded lazily: the job handlers are an optional part of the package.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jobs = require('../../jobs/settings') as { JOB_ENVIRONMENT_VARIABLES?: ReadonlyArray<DocumentedVariable> };
    if (jobs.JOB_ENVIRONMENT_VARIABLES) tables.push(jobs.JOB_ENVIRONMENT_VARIABLES);
  } catch {
    // No shipped job handlers in this build.
  }
  return tables.flat().map((v) => ({ name: v.name, description: v.description, default: String(v.default ?? '') }));
}
