import { createHttpServer, type QueueHttpServer } from '../../src/http/http-server';
import type { QueueManager } from '../../src/manager/queue-manager';
import type { JobDocument } from '../../src/storage/job-store';
import type { QueueWorker } from '../../src/worker/queue-worker';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

/** Two named admin tokens: the names must show up as the actor in audit entries. */
export const ALICE_TOKEN = 'alice-token-0123456789abcdef';
export const BOB_TOKEN = 'bob-token-0123456789abcdef01';
export const ADMIN_TOKENS = [
  { name: 'alice', token: ALICE_TOKEN },
  { name: 'bob', token: BOB_TOKEN },
];

export function bearer(token = ALICE_TOKEN): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** One test file's queue, worker and HTTP server (with the admin API). */
export interface HttpWorld {
  harness: QueueHarness;
  manager: QueueManager;
  worker: QueueWorker;
  server: QueueHttpServer;
  stop(): Promise<void>;
}

export async function startHttpWorld(prefix: string, concurrency = 2): Promise<HttpWorld> {
  const harness = new QueueHarness(prefix);
  await harness.start();
  const manager = await harness.manager();
  const worker = await harness.worker(manager, concurrency);
  const server = createHttpServer({ manager, worker, logger: harness.logger, adminTokens: ADMIN_TOKENS });
  return {
    harness,
    manager,
    worker,
    server,
    async stop() {
      await server.close();
      await harness.stop();
    },
  };
}

/** Waits until a job reached `status` (and, for dead jobs, its DLQ entry is written). */
export function jobReaches(manager: QueueManager, jobId: string, status: string): Promise<JobDocument> {
  return waitFor(async () => {
    const doc = await manager.jobRepository.findByJobId(jobId);
    return doc?.status === status && !doc.dlqPending ? doc : null;
  }, `job ${jobId} to be ${status}`);
}
