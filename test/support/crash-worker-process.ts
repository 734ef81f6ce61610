import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testMongoUri } from './mongo';
import type { QueueHarness } from './queue-harness';

const ROOT = join(__dirname, '..', '..');

/** A worker in a process of its own (test/fixtures/crash-worker.ts) on the harness's servers, for tests that SIGKILL it. */
export function spawnCrashWorker(harness: QueueHarness, queue: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/crash-worker.ts')], {
    env: {
      ...process.env,
      CRASH_MONGO_URI: testMongoUri(),
      CRASH_DB: harness.dbName,
      CRASH_REDIS_PORT: String(harness.redis.port),
      CRASH_NAMESPACE: harness.namespace,
      CRASH_QUEUE: queue,
    },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
