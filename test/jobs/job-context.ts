import { randomUUID } from 'node:crypto';
import type { JobContext } from '../../src/domain/job-definition';
import type { QueueManager } from '../../src/manager/queue-manager';
import { silentLogger } from '../../src/logging/logger';

/** A real handler context on a started manager's services (MongoDB, Redis), outside any worker. */
export function handlerContext(manager: QueueManager, overrides: Partial<JobContext> = {}): JobContext & { progress: unknown[] } {
  const progress: unknown[] = [];
  return {
    jobId: randomUUID(),
    type: 'test',
    queue: manager.config.name,
    attempt: 1,
    maxAttempts: 3,
    priority: 7,
    band: 'NORMAL',
    createdAt: new Date(),
    workerId: 'test-worker',
    logger: silentLogger(),
    signal: new AbortController().signal,
    reportProgress: async (p) => {
      progress.push(p);
    },
    services: manager.jobServices(),
    progress,
    ...overrides,
  };
}

/** Runs `fn` with environment variables set, restoring them afterwards. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)));
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
