/**
 * The worker loop against an in-memory port: no MongoDB, no Redis. What it must do with whatever
 * the port answers: bound running handlers by `concurrency`, stop gracefully (finish, hand back,
 * abort after the grace period), abort a handler whose lease was lost or whose time ran out, and
 * take nothing while paused.
 */
import { z } from 'zod';
import { defineJob, type JobContext } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import { JobAbortedError, JobTimeoutError, LeaseLostError } from '../../src/errors';
import { silentLogger } from '../../src/logging/logger';
import { QueueWorker } from '../../src/worker/queue-worker';
import { holdsThroughout, waitFor } from '../support/wait-for';
import { MemoryWorkerHost, MemoryWorkerPort } from './support/memory-worker-port';

/** A handler that runs until the test lets it go (or its signal aborts it). */
class Gate {
  running = 0;
  maxRunning = 0;
  readonly started: string[] = [];
  readonly aborts: unknown[] = [];
  private readonly waiting: Array<() => void> = [];

  readonly definition = defineJob({
    type: 'gated',
    schema: z.object({ quick: z.boolean().optional() }),
    handle: async (data, context: JobContext) => {
      this.started.push(context.jobId);
      this.running += 1;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      try {
        // The worker hands the stored data as it is (validated when it was added).
        if ((data as { quick?: boolean }).quick) return 'done';
        await new Promise<void>((resolve, reject) => {
          this.waiting.push(resolve);
          context.signal.addEventListener('abort', () => {
            this.aborts.push(context.signal.reason);
            reject(context.signal.reason as Error);
          });
        });
        return 'released';
      } finally {
        this.running -= 1;
      }
    },
  });

  releaseAll(): void {
    for (const release of this.waiting.splice(0)) release();
  }
}

const logger = silentLogger();

describe('QueueWorker loop (in-memory port)', () => {
  let gate: Gate;
  let port: MemoryWorkerPort;
  let workers: QueueWorker[];

  beforeEach(() => {
    gate = new Gate();
    port = new MemoryWorkerPort([gate.definition]);
    workers = [];
  });

  afterEach(async () => {
    gate.releaseAll();
    await Promise.all(workers.map((w) => w.stop(100)));
  });

  async function startWorker(concurrency: number, host = new MemoryWorkerHost(port)): Promise<QueueWorker> {
    const worker = new QueueWorker(host, logger, concurrency, 10, host.config.worker.pollInterval, `unit-${workers.length}`);
    workers.push(worker);
    await worker.start();
    return worker;
  }

  it('runs at most `concurrency` handlers at once and runs every job', async () => {
    for (let i = 0; i < 9; i += 1) port.add('gated', {});
    const worker = await startWorker(3);
    await waitFor(() => gate.running === 3, 'three handlers running');
    await holdsThroughout(() => gate.running <= 3, 'no more than three handlers at once', 100);
    while (port.count(JobStatus.Completed) < 9) {
      gate.releaseAll();
      await waitFor(() => gate.running > 0 || port.count(JobStatus.Completed) === 9, 'the next handlers to start');
    }
    expect(gate.maxRunning).toBe(3);
    expect(worker.getStats().processedJobs).toBe(9);
  });

  it('stop() lets running jobs finish and hands back jobs whose claim answers meanwhile', async () => {
    const running = port.add('gated', {});
    const worker = await startWorker(2);
    await waitFor(() => gate.started.includes(running), 'the first job to start');
    // The next claim is held in flight; its jobs arrive after stop() began.
    let answer!: () => void;
    port.takeGate = new Promise<void>((resolve) => (answer = resolve));
    const takesBefore = port.takes.length;
    const later = [port.add('gated', {}), port.add('gated', {})];
    await waitFor(() => port.takes.length > takesBefore, 'a claim in flight');
    const stopping = worker.stop(2_000);
    answer();
    gate.releaseAll();
    await stopping;
    expect(port.jobs.get(running)!.status).toBe(JobStatus.Completed);
    // The claim in flight asked for one job (the one free slot): that job comes back unspent.
    expect(port.returned).toEqual([{ jobId: later[0], reason: 'worker stopping' }]);
    expect(later.map((id) => [port.jobs.get(id)!.status, port.jobs.get(id)!.attempts])).toEqual([[JobStatus.Pending, 0], [JobStatus.Pending, 0]]);
    expect(gate.started).toEqual([running]);
    expect(worker.getStats().isRunning).toBe(false);
  });

  it('stop() aborts handlers still running when the grace period ends, and records their failure', async () => {
    const jobId = port.add('gated', {});
    const worker = await startWorker(1);
    await waitFor(() => gate.started.includes(jobId), 'the job to start');
    await worker.stop(30);
    expect(gate.aborts[0]).toBeInstanceOf(JobAbortedError);
    expect(port.failures).toEqual([expect.objectContaining({ jobId, outcome: 'retry' })]);
    expect(port.jobs.get(jobId)!.status).toBe(JobStatus.Pending);
  });

  it('aborts a handler whose lease was lost; its failure is fenced', async () => {
    const jobId = port.add('gated', {});
    const worker = await startWorker(1);
    await waitFor(() => gate.started.includes(jobId), 'the job to start');
    port.loseLease(jobId);
    await waitFor(() => gate.aborts.length === 1, 'the heartbeat to abort the handler');
    expect(gate.aborts[0]).toBeInstanceOf(LeaseLostError);
    await waitFor(() => worker.getStats().fencedJobs === 1, 'the fenced failure');
    expect(port.failures).toEqual([expect.objectContaining({ jobId, outcome: 'fenced' })]);
    expect(port.jobs.get(jobId)!.status).toBe(JobStatus.Processing);
  });

  it('aborts a handler that runs past its timeout and records a failed attempt', async () => {
    const jobId = port.add('gated', {}, { timeoutMs: 40, maxAttempts: 1 });
    const worker = await startWorker(1);
    await waitFor(() => port.failures.length === 1, 'the timed-out attempt to be recorded');
    expect(gate.aborts[0]).toBeInstanceOf(JobTimeoutError);
    expect(port.failures[0]).toEqual(expect.objectContaining({ jobId, outcome: 'dead' }));
    expect(port.failures[0].error).toBeInstanceOf(JobTimeoutError);
    expect(worker.getStats().failedJobs).toBe(1);
  });

  it('takes nothing while the queue is paused, and resumes when it is not', async () => {
    port.paused = true;
    const jobId = port.add('gated', { quick: true });
    const worker = await startWorker(1);
    await holdsThroughout(() => port.takes.length === 0, 'no claims while the queue is paused', 100);
    expect(worker.getStats().paused).toBe(true);
    port.paused = false;
    await waitFor(() => port.jobs.get(jobId)!.status === JobStatus.Completed, 'the job to run after resume');
  });

  it('a worker paused locally takes nothing; resume() starts it again', async () => {
    const worker = await startWorker(1);
    worker.pause();
    const jobId = port.add('gated', { quick: true });
    const takesBefore = port.takes.length;
    await waitFor(() => worker.getStats().paused, 'the pause to show');
    await holdsThroughout(() => port.takes.length <= takesBefore + 1 && gate.started.length === 0, 'nothing starts while paused', 100);
    worker.resume();
    await waitFor(() => port.jobs.get(jobId)!.status === JobStatus.Completed, 'the job to run after resume');
  });

  it('turns maintenance on while it runs and off when it stops; announces itself, then leaves', async () => {
    const host = new MemoryWorkerHost(port);
    const worker = await startWorker(1, host);
    expect(host.maintenanceHolders).toBe(1);
    await waitFor(() => host.presence.has(worker.workerId), 'the presence heartbeat');
    await worker.stop(100);
    expect(host.maintenanceHolders).toBe(0);
    expect(host.presence.has(worker.workerId)).toBe(false);
  });
});
