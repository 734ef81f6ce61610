import { resolve } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../config/environment';
import { CliUsageError } from './cli-errors';
import { createLogger, type Logger } from '../logging/logger';
import { QueueFactory } from '../composition/queue-factory';
import type { QueueManager } from '../manager/queue-manager';

/**
 * The CLI's connection to one queue, opened on first use from the same environment
 * variables as the worker, and closed once when the command ends.
 */
export class CliSession {
  private opening: Promise<QueueManager> | undefined;
  private jobModules: string[] = [];

  constructor(readonly env: NodeJS.ProcessEnv) {}

  /** Modules that register application job types (registerDefaultJobs) before the manager is built. */
  useJobModules(paths: readonly string[]): void {
    this.jobModules = [...paths];
  }

  manager(): Promise<QueueManager> {
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<QueueManager> {
    const config = loadConfig(this.env);
    for (const path of this.jobModules) loadJobModule(path);
    return QueueFactory.createWithConfig(config.queue, this.logger());
  }

  /** Logs go to stderr so that stdout stays clean for --json; quiet unless LOG_LEVEL asks for more. */
  private logger(): Logger {
    return createLogger({ level: this.env.LOG_LEVEL ?? 'warn', name: 'queue-cli' }, pino.destination({ fd: 2, sync: true }));
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (!opening) return;
    const manager = await opening.catch(() => undefined);
    await manager?.close();
  }
}

function loadJobModule(path: string): void {
  const fullPath = resolve(process.cwd(), path);
  try {
    // require, not import(): the module must share this process's CommonJS module cache,
    // or its registerDefaultJobs call would fill a different registry.
    require(fullPath);
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(fullPath);
    if (missing) throw new CliUsageError(`--jobs-module ${path}: no module at ${fullPath}`);
    throw error;
  }
}
