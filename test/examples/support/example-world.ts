/**
 * What the documents' examples take for granted, built on the test servers: the application's
 * validated environment (`config`), a pino logger, a started QueueManager, console capture and a
 * job type that records the order it ran in. Each test file makes one world: its own
 * redis-server, database and key namespace (through QueueHarness).
 */
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { loadConfig } from '../../../src/config/environment';
import { defineJob } from '../../../src/domain/job-definition';
import { QueueFactory } from '../../../src/composition/queue-factory';
import type { QueueManager } from '../../../src/manager/queue-manager';
import { QueueWorker } from '../../../src/worker/queue-worker';
import { testMongoUri } from '../../support/mongo';
import { QueueHarness } from '../../support/queue-harness';

/**
 * An application's validated environment, as the documents' `config` (lib/validators/validateEnv):
 * typed values, pointing at this file's servers. The QUEUE_* timings make workers fast in tests.
 */
export interface AppConfig {
  NODE_ENV: string;
  MONGO_URI: string;
  REDIS_HOST: string;
  REDIS_PORT: number;
  REDIS_PASSWORD?: string;
  QUEUE_REDIS_DB: number;
  QUEUE_NAMESPACE: string;
  QUEUE_POLL_INTERVAL: number;
  QUEUE_SWEEP_INTERVAL_MS: number;
  QUEUE_LOCK_TIMEOUT_MS: number;
  QUEUE_HEARTBEAT_INTERVAL_MS: number;
  LOG_LEVEL: string;
}

/** The same values as the process environment would carry them (strings). */
export function asEnvironment(values: object): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value === undefined ? undefined : String(value)]));
}

/** Data of the recording job type: `label` for order assertions, `fail` to fail every attempt. */
const recordedStepSchema = z.object({ label: z.string(), fail: z.boolean().default(false) });
export const RECORDED_STEP = 'recorded_step';

export class ExampleWorld {
  readonly harness: QueueHarness;
  /** Labels of recorded_step jobs in the order their handlers started. */
  readonly started: string[] = [];
  private readonly extraStops: Array<() => Promise<unknown>> = [];

  constructor(prefix: string) {
    this.harness = new QueueHarness(prefix);
  }

  /** A pino logger, silent unless TEST_LOG_LEVEL is set (the documents' `logger` / `defaultLogger`). */
  readonly logger: Logger = pino({ name: 'example', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

  async start(): Promise<this> {
    await this.harness.start();
    return this;
  }

  /** MongoDB URI with this file's database. */
  get mongoUri(): string {
    const base = testMongoUri();
    const url = new URL(base);
    url.pathname = `/${this.harness.dbName}`;
    return url.toString();
  }

  get config(): AppConfig {
    return {
      NODE_ENV: 'test',
      MONGO_URI: this.mongoUri,
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: this.harness.redis.port,
      REDIS_PASSWORD: undefined,
      QUEUE_REDIS_DB: 1,
      QUEUE_NAMESPACE: this.harness.namespace,
      QUEUE_POLL_INTERVAL: 50,
      QUEUE_SWEEP_INTERVAL_MS: 100,
      QUEUE_LOCK_TIMEOUT_MS: 2_000,
      QUEUE_HEARTBEAT_INTERVAL_MS: 200,
      LOG_LEVEL: 'silent',
    };
  }

  /**
   * A started manager for queue `name`, built from `config` the way a worker process builds it
   * (loadConfig), with the shipped job types and the recording one. Closed by stop().
   */
  async queueManager(name: string): Promise<QueueManager> {
    const environment = loadConfig(asEnvironment({ ...this.config, QUEUE_NAME: name }));
    const manager = await QueueFactory.createWithConfig(environment.queue, this.logger);
    manager.registerJob(
      defineJob({
        type: RECORDED_STEP,
        schema: recordedStepSchema,
        defaults: { maxAttempts: 1 },
        handle: async (data) => {
          this.started.push(data.label);
          if (data.fail) throw new Error(`step ${data.label} failed`);
          return { label: data.label };
        },
      }),
    );
    this.harness.managers.push(manager);
    return manager;
  }

  /** Registers a worker made by an example so stop() stops it too. */
  track(worker: QueueWorker): QueueWorker {
    this.harness.workers.push(worker);
    return worker;
  }

  /** Registers anything else an example starts (a default manager, a queue, a server). */
  onStop(stop: () => Promise<unknown>): void {
    this.extraStops.push(stop);
  }

  async stop(): Promise<void> {
    for (const stop of this.extraStops.splice(0).reverse()) await stop().catch(() => undefined);
    await Promise.all(this.harness.managers.map((m) => m.shutdown(1_000).catch(() => undefined)));
    await this.harness.stop();
  }
}

/** Captures console.log instead of printing it; `lines()` gives each call's arguments joined like console does. */
export function captureConsole(): { calls: unknown[][]; lines: () => string[] } {
  const calls: unknown[][] = [];
  jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    calls.push(args);
  });
  return {
    calls,
    lines: () => calls.map((args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')),
  };
}

/** The object a console.log call printed after `label` (the examples log `label, { ... }`). */
export function loggedObject(calls: unknown[][], label: string): Record<string, unknown> {
  const call = calls.find((args) => args[0] === label);
  if (!call) throw new Error(`nothing was logged with ${JSON.stringify(label)}; logged: ${JSON.stringify(calls.map((c) => c[0]))}`);
  return call[1] as Record<string, unknown>;
}
