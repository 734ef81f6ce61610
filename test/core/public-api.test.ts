import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../../src';
import * as shipped from '../../jobs';

describe('public API', () => {
  it('exports the documented names from the package entry', () => {
    for (const name of [
      'QueueFactory',
      'getDefaultQueueManager',
      'resetDefaultQueueManager',
      'QueueManager',
      'QueueWorker',
      'JobPriority',
      'QueueJobType',
      'JobStatus',
      'PriorityBand',
      'defineJob',
      'resolveQueueConfig',
      'loadConfig',
      'PermanentJobError',
      'RetryJobError',
    ]) {
      expect(api).toHaveProperty(name);
    }
    // The shipped handlers and their helpers come from their own entry (mongo-redis-queue/jobs).
    for (const name of ['QueueJobType', 'NotificationInbox', 'registerCacheWarmer']) {
      expect(shipped).toHaveProperty(name);
    }
    expect(typeof api.QueueFactory.createDefault).toBe('function');
    expect(typeof api.QueueFactory.createWithConfig).toBe('function');
  });

  it('points package.json main and exports at the compiled entry of src/index.ts', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { main: string; exports: { '.': { require: string } } };
    expect(pkg.main).toBe('dist/src/index.js');
    expect(pkg.exports['.'].require).toBe('./dist/src/index.js');
  });
});
