import { queuePartsOf } from '../../src/composition/create-queue-manager';
import type { CommandStartedEvent } from 'mongodb';
import { loadConfig } from '../../src/config/environment';
import { resolveQueueConfig } from '../../src/config/queue-config';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

describe('MongoDB production settings', () => {
  describe('configuration', () => {
    const mongodb = { connectionString: 'mongodb://h/x' };

    it('defaults to majority writes, retryable writes and primary reads', () => {
      expect(resolveQueueConfig({ mongodb }, {}).mongodb).toMatchObject({ writeConcern: { w: 'majority' }, readPreference: 'primary', retryWrites: true });
    });

    it('refuses w: 0 and an unknown read preference, naming the field', () => {
      expect(() => resolveQueueConfig({ mongodb: { ...mongodb, writeConcern: { w: 0 } } }, {})).toThrow(/mongodb\.writeConcern\.w: w: 0 is refused/);
      expect(() => resolveQueueConfig({ mongodb: { ...mongodb, readPreference: 'anywhere' as never } }, {})).toThrow(/mongodb\.readPreference/);
    });

    it('reads the MONGO_* variables', () => {
      const env = { MONGO_URI: 'mongodb://h/x', MONGO_WRITE_CONCERN: '2', MONGO_WRITE_JOURNAL: 'true', MONGO_WRITE_TIMEOUT_MS: '5000', MONGO_READ_PREFERENCE: 'secondaryPreferred', MONGO_RETRY_WRITES: 'false' };
      expect(loadConfig(env).queue.mongodb).toMatchObject({ writeConcern: { w: 2, j: true, wtimeoutMs: 5000 }, readPreference: 'secondaryPreferred', retryWrites: false });
      expect(loadConfig({ MONGO_URI: 'mongodb://h/x', MONGO_WRITE_CONCERN: 'majority' }).queue.mongodb.writeConcern.w).toBe('majority');
      expect(() => loadConfig({ MONGO_URI: 'mongodb://h/x', MONGO_WRITE_CONCERN: 'some' })).toThrow(/MONGO_WRITE_CONCERN/);
    });
  });

  describe('the connection', () => {
    const harness = new QueueHarness('mongo_settings');
    beforeAll(() => harness.start());
    afterAll(() => harness.stop());

    it('sends every write with the configured write concern', async () => {
      const manager = await harness.manager({
        name: 'concern',
        mongodb: { ...harness.config().mongodb, monitorCommands: true, writeConcern: { w: 1, j: true, wtimeoutMs: 5_000 } },
      });
      const writes: CommandStartedEvent[] = [];
      const client = queuePartsOf(manager).connection.getClient();
      const record = (event: CommandStartedEvent) => ['insert', 'update', 'findAndModify'].includes(event.commandName) && writes.push(event);
      client.on('commandStarted', record);
      try {
        await harness.worker(manager, 1);
        const { jobId } = await manager.addJob({ type: 'test_job', data: { label: 'concern' } });
        await waitFor(async () => (await manager.jobRepository.findByJobId(jobId))?.status === 'completed', 'the job to complete');
      } finally {
        client.off('commandStarted', record);
      }
      // The insert, the claim and the completion all carried it.
      expect(writes.map((w) => w.commandName)).toEqual(expect.arrayContaining(['insert', 'findAndModify']));
      for (const write of writes) expect(write.command.writeConcern).toEqual({ w: 1, j: true, wtimeout: 5_000 });
    });

    it('sends admin and reporting reads with the read preference, claims with primary', async () => {
      const manager = await harness.manager({ name: 'reads', mongodb: { ...harness.config().mongodb, readPreference: 'secondaryPreferred' } });
      expect(queuePartsOf(manager).reporting.jobs.collection.readPreference?.mode).toBe('secondaryPreferred');
      expect(queuePartsOf(manager).reporting.dlq.collection.readPreference?.mode).toBe('secondaryPreferred');
      // The claim path's collection reads through the connection's default: the primary.
      expect(queuePartsOf(manager).connection.getClient().readPreference.mode).toBe('primary');
      // On a single server secondaryPreferred reads the primary: the reads answer.
      await manager.addJob({ type: 'test_job', data: { label: 'read' }, delay: 60_000 });
      expect((await manager.getQueueStats()).scheduled).toBe(1);
      expect(await manager.jobRepository.getScheduledJobs()).toHaveLength(1);
    });
  });
});
