/**
 * The application code the named-queue documents' patterns call but do not show: a health check
 * and its result store, a permission cache per instance, an export generator and its notifier.
 * Each records what it was asked to do, so the tests can assert what the patterns promise.
 */
import type { QueueManager } from '../../../src';
import type { ExampleWorld } from './example-world';

/** Engine backend settings for tests: fast polls, and every delay, backoff and interval × 0.01. */
export const FAST_ENGINE = { configVersion: 2, pollIntervalMs: 50, delayMultiplier: 0.01, consumerHeartbeatMs: 100, retentionIntervalMs: 50 };

/** One application instance's manager with named queues on the (fast) engine backend. */
export async function namedQueueManager(world: ExampleWorld, name: string): Promise<QueueManager> {
  const manager = await world.queueManager(name);
  await manager.setActiveBackend('engine', FAST_ENGINE);
  return manager;
}

/**
 * The lifecycle of a named-queue document's tests: the world started once, a fresh manager and
 * queue name for each test (`use` hands them to the file's free variables `queueManager` and
 * `name`, as the examples are written), every manager shut down after each test.
 */
export function freshNamedQueuePerTest(world: ExampleWorld, prefix: string, use: (manager: QueueManager, name: string) => void): void {
  let count = 0;
  beforeAll(() => world.start());
  beforeEach(async () => {
    count += 1;
    const name = `${prefix}-${count}`;
    use(await namedQueueManager(world, name), name);
  });
  afterEach(async () => {
    await Promise.all(world.harness.managers.map((m) => m.shutdown(1_000).catch(() => undefined)));
  });
  afterAll(() => world.stop());
}

export interface HealthCheckData {
  configId: string;
  systemId: string;
}

export interface HealthCheckResult {
  configId: string;
  systemId: string;
  healthy: boolean;
  checkedAt: Date;
}

export function healthChecks() {
  const saved: Array<{ systemId: string; result: HealthCheckResult }> = [];
  return {
    saved,
    runHealthCheck: async (configId: string, systemId: string): Promise<HealthCheckResult> => ({ configId, systemId, healthy: true, checkedAt: new Date() }),
    saveHealthCheckResult: async (systemId: string, result: HealthCheckResult): Promise<void> => {
      saved.push({ systemId, result });
    },
  };
}

export interface PermissionSyncData {
  userId: string;
  roles: string[];
}

/** 002 calls the same payload an access rule sync. */
export type AccessRuleSyncData = PermissionSyncData;

/** One instance's local cache of roles. */
export class PermissionCache {
  readonly roles = new Map<string, string[]>();

  async refresh(userId: string, roles: string[]): Promise<void> {
    this.roles.set(userId, roles);
  }
}

export interface ExportJob {
  userId: string;
  systemIds: string[];
  format: 'csv' | 'json';
}

export function exports() {
  const generated: Array<{ systemIds: string[]; format: string }> = [];
  const ready: Array<{ userId: string; filePath: string }> = [];
  return {
    generated,
    ready,
    generateExport: async (systemIds: string[], format: string): Promise<string> => {
      generated.push({ systemIds, format });
      return `/exports/${systemIds.join('-')}.${format}`;
    },
    sendExportReady: async (userId: string, filePath: string): Promise<void> => {
      ready.push({ userId, filePath });
    },
  };
}
