import { bandRanges } from '../../src/config/config-aliases';
import type { CommandStartedEvent } from 'mongodb';
import { shippedJobs } from '../../jobs';
import type { JobDefinition } from '../../src/domain/job-definition';
import { JobStatus } from '../../src/domain/job-status';
import { BANDS_IN_ORDER, PriorityBand } from '../../src/domain/priority-band';
import { ConfigError, InvalidJobDefinitionError } from '../../src/errors';
import { MAX_FOLLOW_UPS } from '../../src/manager/batch-selection';
import type { QueueManager } from '../../src/manager/queue-manager';
import { JobRegistry } from '../../src/registry/job-registry';
import { QueueWorker } from '../../src/worker/queue-worker';
import { QueueHarness, testJobDefinition } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { queuePartsOf } from '../../src/composition/create-queue-manager';

/** Per-type batch sizes: what one load puts into a band's Redis batch, and what it leaves pending. */
describe('per-type batch sizes in the loader', () => {
  const harness = new QueueHarness('batch_sizes');
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());

  function sizedType(type: string, batchSize?: number): JobDefinition {
    return { ...testJobDefinition(harness.runs, type), ...(batchSize === undefined ? {} : { batchSize }) };
  }

  /** What one piece of work sent to MongoDB (the driver's command monitoring). */
  interface Sent<T> {
    result: T;
    /** Commands by name. */
    commands: Record<string, number>;
    /** The loader's queries of one band (find commands on the band's priority range). */
    findsOf(band: PriorityBand): number;
  }

  async function countingManager(name: string, size: number, pollInterval = 50): Promise<{ manager: QueueManager; count: <T>(work: () => Promise<T>) => Promise<Sent<T>> }> {
    const base = harness.config();
    const manager = await harness.manager({ name, batch: { size }, mongodb: { ...base.mongodb, monitorCommands: true }, worker: { pollInterval } });
    let events: CommandStartedEvent[] | undefined;
    queuePartsOf(manager).connection.getClient().on('commandStarted', (event: CommandStartedEvent) => events?.push(event));
    const levels = bandRanges(manager.config.batch.priorityLevels);
    return {
      manager,
      async count(work) {
        events = [];
        const sent = events;
        try {
          const result = await work();
          const commands: Record<string, number> = {};
          // The renewal of aged batches reads batched jobs (once per band and refresh period, the
          // first load included); it is not the cost of filling bands, so it is left out here.
          const renewal = (e: CommandStartedEvent) => e.commandName === 'find' && (e.command.filter as { status?: string } | undefined)?.status === JobStatus.Batched;
          for (const event of sent.filter((e) => !renewal(e))) commands[event.commandName] = (commands[event.commandName] ?? 0) + 1;
          const findsOf = (band: PriorityBand) =>
            sent.filter((e) => !renewal(e) && e.commandName === 'find' && (e.command.filter as { priority?: { $gte?: number } } | undefined)?.priority?.$gte === levels[band].min).length;
          return { result, commands, findsOf };
        } finally {
          events = undefined;
        }
      },
    };
  }

  /** Empties the Redis bands (as if Redis had been flushed): the jobs stay pending in MongoDB only. */
  async function clearBands(manager: QueueManager): Promise<void> {
    await queuePartsOf(manager).redis.del(...BANDS_IN_ORDER.map((band) => manager.keys.band(band)));
  }

  /** The labels a band holds in Redis, in the order workers would pop them. */
  async function bandLabels(manager: QueueManager, band: PriorityBand): Promise<string[]> {
    const ids = await queuePartsOf(manager).redis.zrange(manager.keys.band(band), 0, -1);
    const docs = await queuePartsOf(manager).store.collection.find({ jobId: { $in: ids } }).toArray();
    const labelOf = new Map(docs.map((doc) => [doc.jobId, (doc.data as { label: string }).label]));
    return ids.map((id) => labelOf.get(id) ?? `?${id}`);
  }

  /** Labels of the queue's jobs of one type in claim order: priority, then ready order (FIFO, LIFO first). */
  async function claimOrder(manager: QueueManager, type: string): Promise<string[]> {
    const docs = await queuePartsOf(manager).store.collection.find({ queue: manager.config.name, type }).sort({ priority: -1, orderKey: 1, _id: 1 }).toArray();
    return docs.map((doc) => (doc.data as { label: string }).label);
  }

  async function countByStatus(manager: QueueManager, status: JobStatus): Promise<number> {
    return queuePartsOf(manager).store.collection.countDocuments({ queue: manager.config.name, status });
  }

  /** Jobs each load marked batched, by type: loads are told apart by the time of their audit entry. */
  async function typesPerLoad(manager: QueueManager): Promise<Array<Record<string, number>>> {
    const docs = await queuePartsOf(manager).store.collection.find({ queue: manager.config.name }).toArray();
    const loads = new Map<number, Record<string, number>>();
    for (const doc of docs) {
      for (const entry of doc.history) {
        if (entry.to !== JobStatus.Batched || entry.by !== 'loader') continue;
        const at = new Date(entry.at).getTime();
        const load = loads.get(at) ?? {};
        load[doc.type] = (load[doc.type] ?? 0) + 1;
        loads.set(at, load);
      }
    }
    return [...loads.entries()].sort(([a], [b]) => a - b).map(([, load]) => load);
  }

  it('caps each type within a band, keeps claim order, and reaches light jobs queued behind capped ones in one extra query', async () => {
    const { manager, count } = await countingManager('caps', 20);
    manager.registerJob(sizedType('heavy', 3)).registerJob(sizedType('medium', 5));
    // NORMAL band (5–9): 10 heavy ahead of 10 medium ahead of 7 light (test_job, no size of its own);
    // two of the light ones are LIFO and so come first among the light ones.
    for (let i = 0; i < 10; i += 1) await manager.addJob({ type: 'heavy', data: { label: `h${i}` }, priority: 9 });
    for (let i = 0; i < 10; i += 1) await manager.addJob({ type: 'medium', data: { label: `m${i}` }, priority: 8 });
    for (let i = 0; i < 5; i += 1) await manager.addJob({ type: 'test_job', data: { label: `l${i}` }, priority: 7 });
    for (let i = 5; i < 7; i += 1) await manager.addJob({ type: 'test_job', data: { label: `l${i}` }, priority: 7, lifo: true });
    await clearBands(manager);

    const { result: loaded, commands, findsOf } = await count(() => manager.loadNextBatch());
    // The first window (20 jobs) holds only heavy and medium ones; the light ones behind it come
    // from one follow-up query that leaves the capped types out.
    const light = await claimOrder(manager, 'test_job');
    expect(new Set(light.slice(0, 2))).toEqual(new Set(['l5', 'l6']));
    expect(await bandLabels(manager, PriorityBand.Normal)).toEqual([
      ...(await claimOrder(manager, 'heavy')).slice(0, 3),
      ...(await claimOrder(manager, 'medium')).slice(0, 5),
      ...light,
    ]);
    expect(loaded.loaded).toBe(15);
    expect(findsOf(PriorityBand.Normal)).toBe(2);
    expect(commands.update).toBe(1);
    expect(await countByStatus(manager, JobStatus.Batched)).toBe(15);
    expect(await countByStatus(manager, JobStatus.Pending)).toBe(12);
  });

  it('leaves capped jobs pending for the next loads and loses none of them', async () => {
    const manager = await harness.manager({ name: 'leftovers', batch: { size: 20 } });
    manager.registerJob(sizedType('heavy', 3)).registerJob(sizedType('medium', 5));
    const added = [
      ...(await manager.addJobs(Array.from({ length: 10 }, (_, i) => ({ type: 'heavy', data: { label: `h${i}` }, priority: 12 })))),
      ...(await manager.addJobs(Array.from({ length: 8 }, (_, i) => ({ type: 'medium', data: { label: `m${i}` }, priority: 12 })))),
      ...(await manager.addJobs(Array.from({ length: 30 }, (_, i) => ({ type: 'test_job', data: { label: `l${i}` }, priority: 11 })))),
    ];
    await clearBands(manager);

    const loadedLabels: string[] = [];
    for (let load = 0; load < 10 && (await countByStatus(manager, JobStatus.Pending)) > 0; load += 1) {
      await manager.loadNextBatch();
      const labels = await bandLabels(manager, PriorityBand.High);
      loadedLabels.push(...labels);
      // Each load: at most 3 heavy, 5 medium, 20 in all; every type's oldest waiting jobs first.
      expect(labels.length).toBeLessThanOrEqual(20);
      expect(labels.filter((l) => l.startsWith('h')).length).toBeLessThanOrEqual(3);
      expect(labels.filter((l) => l.startsWith('m')).length).toBeLessThanOrEqual(5);
      // Workers took this batch: the band empties and the loader comes back for what waits.
      await clearBands(manager);
    }
    expect(await countByStatus(manager, JobStatus.Pending)).toBe(0);
    expect(await countByStatus(manager, JobStatus.Batched)).toBe(added.length);
    expect(loadedLabels).toHaveLength(added.length);
    expect(new Set(loadedLabels).size).toBe(added.length);
    // Within a type, nothing overtook: the loads took each type in its claim order.
    for (const [prefix, type] of [['h', 'heavy'], ['m', 'medium'], ['l', 'test_job']]) {
      expect(loadedLabels.filter((l) => l.startsWith(prefix))).toEqual(await claimOrder(manager, type));
    }
    expect((await typesPerLoad(manager)).slice(0, 2)).toEqual([
      { heavy: 3, medium: 5, test_job: 12 },
      { heavy: 3, medium: 3, test_job: 14 },
    ]);
  });

  it("gives types without a size the worker's batch size, and the worker runs every job once", async () => {
    const manager = await harness.manager({ name: 'worker_default', batch: { size: 50 } });
    manager.registerJob(sizedType('heavy', 3));
    const added = [
      ...(await manager.addJobs(Array.from({ length: 12 }, (_, i) => ({ type: 'heavy', data: { label: `wh${i}` }, priority: 16 })))),
      ...(await manager.addJobs(Array.from({ length: 12 }, (_, i) => ({ type: 'test_job', data: { label: `wl${i}` }, priority: 16 })))),
    ];
    await clearBands(manager);
    // Paused, the worker runs no job, but its maintenance loop loads the batches.
    const worker = new QueueWorker(manager, harness.logger, 2, 4, manager.config.worker.pollInterval);
    harness.workers.push(worker);
    worker.pause();
    await worker.start();
    const [first] = await waitFor(async () => {
      const loads = await typesPerLoad(manager);
      return loads.length > 0 ? loads : null;
    }, 'a first load by the worker');
    expect(first).toEqual({ heavy: 3, test_job: 4 });

    worker.resume();
    await waitFor(async () => (await countByStatus(manager, JobStatus.Completed)) === added.length, 'every job to complete');
    const runs = harness.runs.filter((r) => r.label.startsWith('w'));
    expect(runs).toHaveLength(added.length);
    expect(new Set(runs.map((r) => r.jobId))).toEqual(new Set(added.map((a) => a.jobId)));
    for (const load of await typesPerLoad(manager)) {
      expect(load.heavy ?? 0).toBeLessThanOrEqual(3);
      expect(load.test_job ?? 0).toBeLessThanOrEqual(4);
    }
  });

  it('lets the queue override a type’s size by type name, and loads without caps in one query per band', async () => {
    const { manager, count } = await countingManager('override', 10);
    manager.registerJob(sizedType('heavy', 3));
    manager.setBatchSizes({ heavy: 2 });
    expect(manager.getBatchSizes()).toEqual({ heavy: 2 });
    await manager.addJobs(Array.from({ length: 6 }, (_, i) => ({ type: 'heavy', data: { label: `o${i}` }, priority: 3 })));
    for (const priority of [20, 12, 7]) await manager.addJobs(Array.from({ length: 4 }, () => ({ type: 'test_job', data: {}, priority })));
    await clearBands(manager);

    const { commands, findsOf } = await count(() => manager.loadNextBatch());
    expect(await bandLabels(manager, PriorityBand.Low)).toEqual(['o0', 'o1']);
    // As many round trips as a load without caps: one find per band (three under their caps; the
    // LOW band's window held all its jobs), one update marking them batched.
    for (const band of BANDS_IN_ORDER) expect(findsOf(band)).toBe(1);
    expect(commands.find).toBe(4);
    expect(commands.update).toBe(1);
  });

  it('bounds the follow-up queries of a band whose every window trims a capped type', async () => {
    const { manager, count } = await countingManager('bounded', 6);
    const types = ['t1', 't2', 't3', 't4', 't5', 't6'];
    for (const type of types) manager.registerJob(sizedType(type, 1));
    // Each type's jobs in a run of 7, one type after another, then a light job at the end.
    for (const type of types) await manager.addJobs(Array.from({ length: 7 }, (_, i) => ({ type, data: { label: `${type}-${i}` }, priority: 18 })));
    await manager.addJob({ type: 'test_job', data: { label: 'tail' }, priority: 18 });
    await clearBands(manager);

    const { findsOf } = await count(() => manager.loadNextBatch());
    expect(findsOf(PriorityBand.Critical)).toBe(1 + MAX_FOLLOW_UPS);
    const labels = await bandLabels(manager, PriorityBand.Critical);
    expect(labels).toEqual([(await claimOrder(manager, 't1'))[0], (await claimOrder(manager, 't2'))[0], (await claimOrder(manager, 't3'))[0]]);
    // The rest waits, pending, for later loads.
    expect(await countByStatus(manager, JobStatus.Pending)).toBe(43 - labels.length);
  });

  it('asks again for jobs behind capped types only after a poll interval once a band held none', async () => {
    const { manager, count } = await countingManager('only_capped', 10, 60_000);
    manager.registerJob(sizedType('heavy', 2));
    await manager.addJobs(Array.from({ length: 30 }, (_, i) => ({ type: 'heavy', data: { label: `q${i}` }, priority: 13 })));
    await clearBands(manager);
    const first = await count(() => manager.loadNextBatch());
    expect(first.findsOf(PriorityBand.High)).toBe(2);
    await clearBands(manager);
    // The follow-up found no other type: the next load within the poll interval skips it.
    const second = await count(() => manager.loadNextBatch());
    expect(second.findsOf(PriorityBand.High)).toBe(1);
    expect(await countByStatus(manager, JobStatus.Batched)).toBe(4);
    expect(await countByStatus(manager, JobStatus.Pending)).toBe(26);
  });

  it('rejects a batch size that is not a positive integer, and sizes keyed by unknown types', async () => {
    const registry = new JobRegistry();
    for (const bad of [0, -5, 2.5, '10', Number.NaN]) {
      const error = (() => {
        try {
          registry.register({ ...sizedType('bad_size'), batchSize: bad as number });
          return undefined;
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(InvalidJobDefinitionError);
      expect((error as InvalidJobDefinitionError).code).toBe('INVALID_JOB_DEFINITION');
      expect((error as Error).message).toMatch(/"bad_size".*batchSize: must be a positive integer/);
    }
    expect(registry.has('bad_size')).toBe(false);

    const manager = await harness.manager({ name: 'invalid' });
    expect(() => manager.registerJob(sizedType('zero', 0))).toThrow(InvalidJobDefinitionError);
    manager.registerJob(sizedType('heavy', 3));
    expect(() => manager.setBatchSizes({ HEAVY: 1 })).toThrow(/batchSizes\.HEAVY: unknown job type; sizes are keyed by type name: did you mean "heavy"\?/);
    expect(() => manager.setBatchSizes({ nope: 1 })).toThrow(/batchSizes\.nope: unknown job type; register it first/);
    expect(() => manager.setBatchSizes({ heavy: 0 })).toThrow(ConfigError);
    expect(() => manager.setBatchSizes({ heavy: 1, test_job: -1 })).toThrow(/batchSizes\.test_job: must be a positive integer/);
    // A rejected call changes nothing.
    expect(manager.getBatchSizes()).toEqual({ heavy: 3 });
  });

  it('ships the business types with the documented sizes', () => {
    const sizes = Object.fromEntries(shippedJobs.map((definition) => [definition.type, definition.batchSize]));
    expect(sizes).toEqual({ email_send: 100, user_notification: 75, data_export: 25, file_process: 10, cache_warm: undefined, cleanup: undefined });
    expect(() => new JobRegistry().registerAll(shippedJobs)).not.toThrow();
  });
});
