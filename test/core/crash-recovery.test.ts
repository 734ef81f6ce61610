import type { ChildProcess } from 'node:child_process';
import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import { QueueHarness } from '../support/queue-harness';
import { spawnCrashWorker } from '../support/crash-worker-process';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';


describe('a worker killed with SIGKILL mid-job', () => {
  const harness = new QueueHarness('crash');
  let child: ChildProcess | undefined;
  beforeAll(() => harness.start());
  afterAll(async () => {
    child?.kill('SIGKILL');
    await harness.stop();
  });

  it('loses no job: the lease expires and the job runs again elsewhere', async () => {
    const manager = await harness.manager({ name: 'crash', worker: { lockTimeout: 1_000, heartbeatInterval: 200 } });
    const completions: string[] = [];
    manager.registerJob(
      defineJob({
        type: 'crash_job',
        schema: z.object({}).passthrough(),
        async handle(_data, context) {
          completions.push(context.jobId);
          return { survivedBy: context.workerId };
        },
      }),
    );
    const { jobId } = await manager.addJob({ type: 'crash_job', data: {} });

    child = spawnCrashWorker(harness, 'crash');
    const markers = queuePartsOf(manager).connection.collection('markers');
    const marker = await waitFor(() => markers.findOne({ jobId }), 'the child to start the job', 20_000);
    const running = await manager.jobRepository.findByJobId(jobId);
    expect(running?.status).toBe(JobStatus.Processing);
    expect(running?.lockedBy).toBe(`crash-worker-${marker.pid}`);

    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const worker = await harness.worker(manager, 1);
    const doc = await waitFor(async () => {
      const d = await manager.jobRepository.findByJobId(jobId);
      return d?.status === JobStatus.Completed ? d : null;
    }, 'the job to complete on the surviving worker', 20_000);
    expect(completions).toEqual([jobId]);
    expect(doc.attempts).toBe(2);
    expect(doc.result).toEqual({ survivedBy: worker.workerId });
    expect(doc.history.map((h) => `${h.from}->${h.to}`)).toContain('processing->pending');
    expect(doc.history.find((h) => h.from === 'processing' && h.to === 'pending')?.reason).toMatch(/lease expired/);
  }, 60_000);
});
