import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { JobStatus } from '../../src/domain/job-status';
import { QueueHarness } from '../support/queue-harness';
import { testMongoUri } from '../support/mongo';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '..', '..');

describe('graceful shutdown', () => {
  const harness = new QueueHarness('shutdown');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  it('lets in-flight jobs finish, takes no new work, and releases everything', async () => {
    const manager = await harness.manager({ name: 'drain' });
    const worker = await harness.worker(manager, 2);
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'in-flight', holdMs: 300 } });
    await waitFor(() => worker.getStats().currentJobs.includes(jobId), 'the job to start');
    await worker.stop();
    const doc = await manager.jobRepository.findByJobId(jobId);
    expect(doc?.status).toBe(JobStatus.Completed);
    expect(worker.getStats()).toMatchObject({ isRunning: false, currentJobs: [], processedJobs: 1 });

    const { jobId: after } = await manager.addJob({ type: 'test_job', data: { label: 'after-stop' } });
    const later = await manager.jobRepository.findByJobId(after);
    expect(later?.status).toBe(JobStatus.Pending);
    // The job lock was released: another holder can take it.
    const lock = await manager.acquireLock(jobId, 'someone-else');
    expect(lock).not.toBeNull();
    await manager.releaseLock(lock!);
  });

  it('aborts jobs still running when the grace period ends, recording a failed attempt', async () => {
    const manager = await harness.manager({ name: 'grace' });
    const worker = await harness.worker(manager, 1);
    const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'long', holdMs: 30_000 }, maxAttempts: 3, backoff: { type: 'fixed', delay: 60_000 } });
    await waitFor(() => worker.getStats().currentJobs.includes(jobId), 'the job to start');
    await worker.stop(100);
    const doc = await manager.jobRepository.findByJobId(jobId);
    expect(doc?.status).toBe(JobStatus.Scheduled);
    expect(doc?.lastError).toMatchObject({ name: 'JobAbortedError' });
  });

  it('hands back jobs it had taken but not started', async () => {
    const manager = await harness.manager({ name: 'handback' });
    await manager.addJobs([{ type: 'test_job', data: { label: 'h1' } }, { type: 'test_job', data: { label: 'h2' } }]);
    const taken = await manager.lifecycle.take('stopping-worker', 2);
    expect(taken).toHaveLength(2);
    for (const job of taken) await manager.lifecycle.returnUnstarted(job, 'worker stopping');
    for (const job of taken) {
      const doc = await manager.jobRepository.findByJobId(job.doc.jobId);
      expect(doc).toMatchObject({ status: JobStatus.Pending, attempts: 0, lockedBy: null });
      expect(doc?.history.at(-1)).toMatchObject({ from: 'processing', to: 'pending', reason: 'claimed, not started: worker stopping' });
    }
  });

  it('exits 0 on SIGTERM as a process (pnpm worker:queue)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/worker/main.ts')], {
      env: {
        ...process.env,
        MONGO_URI: testMongoUri(),
        MONGO_DB_NAME: harness.dbName,
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(harness.redis.port),
        QUEUE_REDIS_DB: '0',
        QUEUE_NAMESPACE: harness.namespace,
        QUEUE_NAME: 'process',
        LOG_LEVEL: 'info',
        HTTP_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('worker started'), 'the worker process to start', 20_000);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output).toMatch(/worker stopped/);
  }, 40_000);
});
