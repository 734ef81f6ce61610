import { ConfigError } from '../errors';
import { ENVIRONMENT_VARIABLES, queueInputFromEnvironment, type Env } from './environment';
import { resolveQueueConfig, type QueueConfig, type QueueConfigInput } from './queue-config';

/**
 * An application's validated environment object (`config.MONGO_URI`, `config.REDIS_PORT`, ...), as
 * QueueFactory.createDefault and getDefaultQueueManager accept it besides a partial QueueConfig.
 */
export type ApplicationEnvironment = { readonly [Name in EnvironmentVariableName]?: unknown };

/** The variables this product reads (the catalog's names). */
type EnvironmentVariableName = (typeof ENVIRONMENT_VARIABLES)[number]['name'];

const SECTIONS = ['name', 'mongodb', 'redis', 'batch', 'worker', 'cache', 'dlq', 'limits', 'delayMultiplier'] as const;
const VARIABLE_NAMES: ReadonlySet<string> = new Set(ENVIRONMENT_VARIABLES.map((v) => v.name));

/**
 * Which of the two `config` is: an environment object has at least one variable this product reads
 * (MONGO_URI, REDIS_HOST, ...) and none of QueueConfig's sections; a QueueConfig has sections and
 * no such variable. Neither (e.g. `{}`) counts as an empty QueueConfig; both is an error.
 */
export function isApplicationEnvironment(config: object): boolean {
  const keys = Object.keys(config);
  const variables = keys.filter((key) => VARIABLE_NAMES.has(key));
  const sections = keys.filter((key) => (SECTIONS as readonly string[]).includes(key));
  if (variables.length > 0 && sections.length > 0) {
    const problem = `mixes environment variables (${variables.join(', ')}) with QueueConfig sections (${sections.join(', ')}): pass one or the other`;
    throw new ConfigError(`Invalid queue configuration: ${problem}`, [problem]);
  }
  return variables.length > 0;
}

/**
 * The configuration of QueueFactory.createDefault: the process environment, overridden by an
 * application's environment object, or by a partial QueueConfig section by section.
 */
export function resolveDefaultConfig(config: QueueConfigInput | ApplicationEnvironment, env: Env = process.env): QueueConfig {
  if (isApplicationEnvironment(config)) {
    return resolveQueueConfig(queueInputFromEnvironment({ ...env, ...(config as ApplicationEnvironment) }), {});
  }
  const given = config as QueueConfigInput;
  const fromEnv = queueInputFromEnvironment(env);
  const merged: Record<string, unknown> = { ...fromEnv };
  for (const section of SECTIONS) {
    const value = given[section];
    if (value === undefined) continue;
    const base = fromEnv[section];
    merged[section] = isPlainObject(value) && isPlainObject(base) ? { ...base, ...value } : value;
  }
  // A connection string given in code replaces MONGO_URI rather than conflicting with it as an alias.
  const mongodb = given.mongodb;
  if (mongodb && (mongodb.connectionString !== undefined || mongodb.uri !== undefined)) {
    merged.mongodb = { ...(merged.mongodb as object), connectionString: mongodb.connectionString, uri: mongodb.uri };
  }
  return resolveQueueConfig(merged as QueueConfigInput, {});
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
