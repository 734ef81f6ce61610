/**
 * The `JobQueue<T>` class of seeds/003, run as its Usage example writes it (only the import path
 * differs), then its Dead-letter Handling and Observability promises. The class takes no
 * connection settings, so it uses the application's environment ("shared connection pooling"):
 * the setup points MONGO_URI / REDIS_* at this file's servers.
 */
import { JobQueue } from '../../src';
import { holdsThroughout, waitFor } from '../support/wait-for';
import { ExampleWorld, asEnvironment, captureConsole } from './support/example-world';

const world = new ExampleWorld('doc_003');
const queues: Array<JobQueue<never>> = [];
const savedEnvironment = { ...process.env };

/** Every JobQueue a test makes is shut down after it. */
function tracked<T>(queue: JobQueue<T>): JobQueue<T> {
  queues.push(queue as unknown as JobQueue<never>);
  return queue;
}

beforeAll(async () => {
  await world.start();
  Object.assign(process.env, asEnvironment(world.config));
});
afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(queues.splice(0).map((queue) => queue.shutdown()));
});
afterAll(async () => {
  process.env = savedEnvironment;
  await world.stop();
});

describe('seeds/003: Distributed Job Queue System', () => {
  test('Usage', async () => {
    const output = captureConsole();

    const queue = tracked(new JobQueue<{ userId: string; exportId: string }>({
      name: 'export-jobs',
      deadLetterQueueName: 'export-jobs-dlq',
      workerOptions: { concurrency: 10 },
    }));

    await queue.start(async (job) => {
      await job.updateProgress(10);
      // ...do work...
      await job.updateProgress(100);
      return { status: 'complete' };
    });

    const jobId = await queue.enqueue({ userId: '123', exportId: 'abc' }, {
      priority: 1,
      attempts: 3,
      backoff: { type: 'exponential', delay: 2000 },
    });

    queue.onProgress(({ jobId, progress }) => console.log(jobId, progress));

    const metrics = await queue.metrics();
    console.log(metrics);

    expect(typeof jobId).toBe('string');
    expect(output.calls.at(-1)?.[0]).toEqual({
      waiting: expect.any(Number),
      active: expect.any(Number),
      completed: expect.any(Number),
      failed: expect.any(Number),
      delayed: expect.any(Number),
    });
    await waitFor(async () => (await queue.metrics()).completed === 1, 'the job to complete');
    await waitFor(() => output.calls.some(([id, progress]) => id === jobId && progress === 100), 'the 100% progress event');
    expect(output.calls.filter(([id]) => id === jobId).map(([, progress]) => progress)).toEqual([10, 100]);
    expect(await queue.metrics()).toEqual({ waiting: 0, active: 0, completed: 1, failed: 0, delayed: 0 });
  });

  test('Dead-letter Handling: an exhausted job reaches the dead-letter queue with its id, reason and data', async () => {
    const deadLetters: unknown[] = [];
    const dlq = tracked(new JobQueue<unknown>({ name: 'export-jobs-dlq' }));
    await dlq.start(async (job) => {
      deadLetters.push(job.data);
      return { seen: true };
    });
    const queue = tracked(new JobQueue<{ userId: string; exportId: string }>({
      name: 'export-jobs',
      deadLetterQueueName: 'export-jobs-dlq',
      workerOptions: { concurrency: 10 },
    }));
    const attempts: number[] = [];
    await queue.start(async () => {
      attempts.push(Date.now());
      throw new Error('export storage unavailable');
    });

    const jobId = await queue.enqueue({ userId: '123', exportId: 'failing' }, { attempts: 2, backoff: { type: 'exponential', delay: 10 } });

    await waitFor(() => deadLetters.length === 1, 'the dead-letter message');
    expect(attempts).toHaveLength(2);
    const message = JSON.stringify(deadLetters[0]);
    expect(message).toContain(jobId);
    expect(message).toContain('export storage unavailable');
    expect(Object.values(deadLetters[0] as Record<string, unknown>)).toContainEqual({ userId: '123', exportId: 'failing' });
    expect((await queue.metrics()).failed).toBe(1);
  });

  test('Observability: metrics count waiting, active, completed, failed and delayed jobs', async () => {
    const queue = tracked(new JobQueue<{ n: number }>({ name: 'observed', workerOptions: { concurrency: 1 } }));
    await queue.enqueue({ n: 1 });
    await queue.enqueue({ n: 2 }, { delay: 60_000 });
    expect(await queue.metrics()).toEqual({ waiting: 1, active: 0, completed: 0, failed: 0, delayed: 1 });
  });

  test('Worker management: pause holds the worker, resume lets it run again', async () => {
    const queue = tracked(new JobQueue<{ n: number }>({ name: 'paused', workerOptions: { concurrency: 2 } }));
    const ran: number[] = [];
    await queue.start(async (job) => {
      ran.push(job.data.n);
      return null;
    });
    await queue.pause();
    await queue.enqueue({ n: 1 });
    await holdsThroughout(() => ran.length === 0, 'nothing runs while paused');
    await queue.resume();
    await waitFor(() => ran.length === 1, 'the job to run after resume');
  });
});
