/** Progress, pause/resume and metrics for jobs added with addJob. */
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { QueueHarness } from '../support/queue-harness';
import { holdsThroughout, waitFor } from '../support/wait-for';

const harness = new QueueHarness('controls');

beforeAll(() => harness.start());
afterAll(() => harness.stop());

describe('controls of the addJob way in', () => {
  it('a queue paused from one process stops workers in another until it is resumed', async () => {
    const here = await harness.manager({ name: 'paused' });
    const elsewhere = await harness.manager({ name: 'paused' });
    const worker = await harness.worker(here);
    const before = harness.runs.length;
    await elsewhere.pauseQueue('ops');
    expect(await here.isQueuePaused()).toBe(true);
    // The worker reads the switch once per poll interval.
    await waitFor(() => worker.getStats().paused, 'the worker to see the pause');
    const { jobId } = await elsewhere.addJob({ type: 'test_job', data: { label: 'held' } });
    await holdsThroughout(() => !harness.runs.some((r) => r.jobId === jobId), 'no run while the queue is paused');
    expect(harness.runs.length).toBe(before);
    await elsewhere.resumeQueue('ops');
    await waitFor(() => harness.runs.some((r) => r.jobId === jobId), 'the job after resume');
  });

  it('a worker paused locally leaves the work to the other workers', async () => {
    const manager = await harness.manager({ name: 'local-pause' });
    const idle = await harness.worker(manager);
    const busy = await harness.worker(manager);
    idle.pause();
    expect(idle.isPaused).toBe(true);
    const jobs = await manager.addJobs(Array.from({ length: 6 }, (_, i) => ({ type: 'test_job', data: { label: `lp${i}` } })));
    const ids = new Set(jobs.map((j) => j.jobId));
    await waitFor(() => harness.runs.filter((r) => ids.has(r.jobId)).length === 6, 'six runs');
    expect(new Set(harness.runs.filter((r) => ids.has(r.jobId)).map((r) => r.workerId))).toEqual(new Set([busy.workerId]));
    idle.resume();
    expect(idle.isPaused).toBe(false);
  });

  it('progress reported by a handler is stored on the job and reaches listeners in another process', async () => {
    const manager = await harness.manager({ name: 'progress' });
    manager.registerJob(
      defineJob({
        type: 'progress_job',
        schema: z.object({ steps: z.number().int() }),
        async handle(data, context) {
          for (let step = 1; step <= data.steps; step += 1) await context.reportProgress({ step, of: data.steps });
          return 'done';
        },
      }),
    );
    const observer = await harness.manager({ name: 'progress' });
    const events: unknown[] = [];
    const unsubscribe = observer.onProgress((event) => events.push(event));
    await observer.progressFeed.ready();
    await harness.worker(manager);
    const { jobId } = await manager.addJob({ type: 'progress_job', data: { steps: 3 } });
    await waitFor(() => events.length === 3, 'three progress events');
    expect(events).toEqual([1, 2, 3].map((step) => ({ queue: 'progress', jobId, progress: { step, of: 3 } })));
    const doc = await waitFor(() => manager.jobRepository.findByJobId(jobId), 'the job');
    expect(doc.progress).toEqual({ step: 3, of: 3 });
    unsubscribe();
  });

  it('metrics() counts waiting, active, completed, failed and delayed jobs', async () => {
    const manager = await harness.manager({ name: 'metrics' });
    await manager.addJob({ type: 'test_job', data: { label: 'ready' } });
    await manager.addJob({ type: 'test_job', data: { label: 'later' }, delay: 3_600_000 });
    expect(await manager.metrics()).toEqual({ waiting: 1, active: 0, completed: 0, failed: 0, delayed: 1 });
    await manager.addJob({ type: 'test_job', data: { label: 'doomed', permanent: true } });
    await harness.worker(manager);
    await waitFor(async () => {
      const m = await manager.metrics();
      return m.completed === 1 && m.failed === 1;
    }, 'one completed, one failed');
    expect(await manager.metrics()).toEqual({ waiting: 0, active: 0, completed: 1, failed: 1, delayed: 1 });
  });
});
