import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JobProgressEvent } from '../../src/job-queue';
import { testMongoUri } from '../support/mongo';
import { waitFor } from '../support/wait-for';
import { JobQueueWorld } from './job-queue-support';

const ROOT = join(__dirname, '..', '..');
const world = new JobQueueWorld('job_queue_processes');
const children: ChildProcess[] = [];

beforeAll(async () => {
  await world.start();
});

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await world.closeQueues();
});

afterAll(async () => {
  await world.stop();
});

/** Starts test/fixtures/job-queue-worker.ts: a JobQueue worker in another process, connected through the environment. */
async function workerProcess(queue: string): Promise<Array<{ id: string; label: string; pid: number }>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/fixtures/job-queue-worker.ts')], {
    env: {
      ...process.env,
      MONGO_URI: testMongoUri(),
      MONGO_DB_NAME: world.harness.dbName,
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(world.harness.redis.port),
      QUEUE_REDIS_DB: '0',
      QUEUE_NAMESPACE: world.harness.namespace,
      JQ_QUEUE: queue,
    },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const runs: Array<{ id: string; label: string; pid: number }> = [];
  let ready = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const event = JSON.parse(line) as { event: string; id: string; label: string; pid: number };
      if (event.event === 'ready') ready = true;
      if (event.event === 'ran') runs.push(event);
    } catch {
      // not one of ours
    }
  });
  await waitFor(() => ready, 'the worker process', 30_000);
  return runs;
}

test('progress reported in a worker process reaches onProgress listeners in this one', async () => {
  const remoteRuns = await workerProcess('exports');
  const queue = await world.queue<{ label: string }>({ name: 'exports' });
  const events: JobProgressEvent[] = [];
  const unsubscribe = queue.onProgress((event) => events.push(event));
  await queue.waitUntilReady();
  const jobId = await queue.enqueue({ label: 'report' });
  await waitFor(() => events.length === 2, 'two progress events');
  expect(events).toEqual([
    { jobId, progress: 10 },
    { jobId, progress: { step: 'done' } },
  ]);
  expect(remoteRuns.map((r) => r.id)).toEqual([jobId]);
  expect(remoteRuns[0].pid).not.toBe(process.pid);
  await waitFor(async () => (await queue.metrics()).completed === 1, 'the job completed in the other process');
  unsubscribe();
  await queue.enqueue({ label: 'unheard' });
  await waitFor(() => remoteRuns.length === 2, 'the second job ran');
  await waitFor(async () => (await queue.metrics()).completed === 2, 'the second job completed');
  expect(events).toHaveLength(2);
});
