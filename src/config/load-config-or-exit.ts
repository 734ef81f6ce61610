import { loadConfig, type EnvironmentConfig } from './environment';

/** A process entry point's configuration: the environment, or the validation message on stderr and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): EnvironmentConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
