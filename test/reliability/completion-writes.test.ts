import { z } from 'zod';
import { defineJob } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import type { QueueManager } from '../../src/manager/queue-manager';
import { harnessWithPrivateMongo } from '../support/private-mongo-world';
import { waitFor } from '../support/wait-for';

/** Handlers held at a gate, so the test decides when their completions are written (together). */
class Gate {
  private open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  waiting = 0;
  returned = 0;
  release(): void {
    this.open();
  }
}

function registerResultJob(manager: QueueManager, gate: Gate, runs: string[]): void {
  manager.registerJob(
    defineJob({
      type: 'result_job',
      schema: z.object({ kind: z.enum(['ok', 'circular', 'huge']) }),
      defaults: { maxAttempts: 3 },
      async handle(data, context) {
        runs.push(context.jobId);
        gate.waiting += 1;
        await gate.opened;
        gate.returned += 1;
        if (data.kind === 'circular') {
          const node: Record<string, unknown> = { name: 'loop' };
          node.self = node;
          return node;
        }
        if (data.kind === 'huge') return { blob: 'x'.repeat(17 * 1024 * 1024) };
        return { ok: context.jobId };
      },
    }),
  );
}

describe('completion writes, one job at a time', () => {
  const { harness, mongo } = harnessWithPrivateMongo('completion_writes');

  it.each(['circular', 'huge'] as const)('a %s result completes its job with a resultError and leaves its 5 neighbours completed, each run once', async (kind) => {
    const manager = await harness.manager({ name: `unstorable_${kind}` });
    const gate = new Gate();
    const runs: string[] = [];
    registerResultJob(manager, gate, runs);
    const bad = await manager.addJob({ type: 'result_job', data: { kind } });
    const neighbours = await manager.addJobs(Array.from({ length: 5 }, () => ({ type: 'result_job', data: { kind: 'ok' as const } })));
    await harness.worker(manager, 6);
    await waitFor(() => gate.waiting === 6, 'all six handlers to be running');
    gate.release();

    const badDoc = await waitFor(async () => {
      const doc = await manager.jobRepository.findByJobId(bad.jobId);
      return doc?.status === JobStatus.Completed ? doc : null;
    }, 'the job with the unstorable result to complete', 20_000);
    expect(badDoc.result).toBeNull();
    expect(badDoc.resultError?.message).toMatch(kind === 'huge' ? /over the \d+-byte limit/ : /not storable/);
    for (const n of neighbours) {
      const doc = await waitFor(async () => {
        const d = await manager.jobRepository.findByJobId(n.jobId);
        return d?.status === JobStatus.Completed ? d : null;
      }, 'a neighbour to complete');
      expect(doc.result).toEqual({ ok: n.jobId });
      expect(doc.errors).toEqual([]);
    }
    expect(runs).toHaveLength(6);
    expect(await manager.getDLQStats().then((s) => s.totalEntries)).toBe(0);
  }, 40_000);

  it('a completion MongoDB cannot take for a while is retried, not counted as a failed attempt', async () => {
    const manager = await harness.manager({
      name: 'transient',
      mongodb: { uri: mongo.uri, dbName: harness.dbName, serverSelectionTimeoutMs: 300 },
      // A lease long enough for a slow reconnection on a loaded machine: the write is retried within it.
      worker: { lockTimeout: 40_000, heartbeatInterval: 500 },
    });
    const gate = new Gate();
    const runs: string[] = [];
    registerResultJob(manager, gate, runs);
    const { jobId } = await manager.addJob({ type: 'result_job', data: { kind: 'ok' } });
    const worker = await harness.worker(manager, 1);
    await waitFor(() => gate.waiting === 1, 'the handler to run');

    await mongo.stop();
    gate.release();
    await waitFor(() => gate.returned === 1, 'the handler to return while MongoDB is down');
    // Give the write a few failed tries before MongoDB returns.
    await waitFor(() => worker.getStats().currentJobs.length === 1, 'the completion to be pending');
    await mongo.start();

    const doc = await waitFor(async () => {
      const d = await manager.jobRepository.findByJobId(jobId).catch(() => null);
      return d?.status === JobStatus.Completed ? d : null;
    }, 'the completion to be written after MongoDB returns', 35_000);
    expect(doc.attempts).toBe(1);
    expect(doc.errors).toEqual([]);
    expect(doc.result).toEqual({ ok: jobId });
    expect(runs).toEqual([jobId]);
    expect(worker.getStats().failedJobs + worker.getStats().retriedJobs).toBe(0);
  }, 60_000);
});
