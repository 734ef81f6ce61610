/** The pure parts of the named-queue API: schedules, config migration, plugin registry, the proxy. */
import { z } from 'zod';
import { ConfigError, InvalidJobOptionsError } from '../../src/errors';
import { migratePluginConfig } from '../../src/queues/config-migration';
import { memoryQueuePlugin } from '../../src/queues/memory';
import { NamedQueues } from '../../src/queues/named-queues';
import { QueuePluginRegistry } from '../../src/queue-api/plugin-registry';
import type { QueuePlugin } from '../../src/queue-api/queue-plugin';
import { firstRunAt, nextRunAfter, normalizeSchedule, tickJobId } from '../../src/queues/recurrence';
import { testLogger } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';

const at = (iso: string) => new Date(iso);

describe('recurrence', () => {
  it('checks schedules: positive intervals, cron expressions the library accepts', () => {
    expect(normalizeSchedule(30)).toEqual({ kind: 'interval', intervalSeconds: 30 });
    expect(normalizeSchedule({ cron: ' */5 * * * * ' })).toEqual({ kind: 'cron', expression: '*/5 * * * *' });
    expect(normalizeSchedule({ cron: '0 9 * * 1', timezone: 'Europe/Paris' })).toEqual({ kind: 'cron', expression: '0 9 * * 1', timezone: 'Europe/Paris' });
    for (const bad of [0, -1, Number.NaN, 400 * 86_400]) expect(() => normalizeSchedule(bad)).toThrow(InvalidJobOptionsError);
    expect(() => normalizeSchedule({ cron: '61 * * * *' })).toThrow(/not a valid cron expression/);
    expect(() => normalizeSchedule({ cron: '' })).toThrow(InvalidJobOptionsError);
  });

  it('starts intervals after startDelay (default one interval), scaled; cron at its next match', () => {
    const now = at('2026-12-01T10:00:00.000Z');
    expect(firstRunAt({ kind: 'interval', intervalSeconds: 60 }, now, 1)).toEqual(at('2026-12-01T10:01:00.000Z'));
    expect(firstRunAt({ kind: 'interval', intervalSeconds: 60 }, now, 1, 0)).toEqual(now);
    expect(firstRunAt({ kind: 'interval', intervalSeconds: 60 }, now, 0.5, 10)).toEqual(at('2026-12-01T10:00:05.000Z'));
    expect(firstRunAt({ kind: 'cron', expression: '*/15 * * * *' }, at('2026-12-01T10:07:00.000Z'), 1)).toEqual(at('2026-12-01T10:15:00.000Z'));
    expect(firstRunAt({ kind: 'cron', expression: '0 9 * * *', timezone: 'Europe/Paris' }, now, 1)).toEqual(at('2026-12-02T08:00:00.000Z'));
  });

  it('keeps intervals on their grid and skips missed ticks: the overdue one fires, the next lies after now', () => {
    const interval = { kind: 'interval' as const, intervalSeconds: 60 };
    const due = at('2026-12-01T10:00:00.000Z');
    // On time: the next tick is one interval on, even if the run is slow (runs may overlap).
    expect(nextRunAfter(interval, due, at('2026-12-01T10:00:00.500Z'), 1)).toEqual(at('2026-12-01T10:01:00.000Z'));
    // Ten minutes of downtime: nine ticks are skipped, the grid resumes after now.
    expect(nextRunAfter(interval, due, at('2026-12-01T10:10:30.000Z'), 1)).toEqual(at('2026-12-01T10:11:00.000Z'));
    // Exactly on a grid point counts as passed.
    expect(nextRunAfter(interval, due, at('2026-12-01T10:02:00.000Z'), 1)).toEqual(at('2026-12-01T10:03:00.000Z'));
    const cron = { kind: 'cron' as const, expression: '0 * * * *' };
    expect(nextRunAfter(cron, at('2026-12-01T10:00:00.000Z'), at('2026-12-01T13:20:00.000Z'), 1)).toEqual(at('2026-12-01T14:00:00.000Z'));
    expect(tickJobId('hc', due)).toBe('hc@2026-12-01T10:00:00.000Z');
  });
});

describe('plugin configs and the registry', () => {
  const plugin: QueuePlugin<{ pollIntervalMs: number; mode: 'a' | 'b' }> = {
    id: 'versioned',
    displayName: 'Versioned',
    description: 'three config versions',
    configVersion: 3,
    configSchema: z.object({ pollIntervalMs: z.number().int().positive(), mode: z.enum(['a', 'b']).default('a') }).strict(),
    migrations: [
      { from: 1, describe: 'seconds to ms', migrate: ({ poll, ...rest }) => ({ ...rest, pollIntervalMs: Number(poll) * 1000 }) },
      { from: 2, describe: 'legacy flag to mode', migrate: ({ legacy, ...rest }) => ({ ...rest, mode: legacy ? 'b' : 'a' }) },
    ],
    createQueue: () => {
      throw new Error('not used');
    },
  };

  it('migrates one version at a time, then validates', () => {
    expect(migratePluginConfig(plugin, { poll: 2, legacy: true })).toEqual({ pollIntervalMs: 2000, mode: 'b' });
    expect(migratePluginConfig(plugin, { configVersion: 2, pollIntervalMs: 5, legacy: false })).toEqual({ pollIntervalMs: 5, mode: 'a' });
    expect(migratePluginConfig(plugin, { configVersion: 3, pollIntervalMs: 7 })).toEqual({ pollIntervalMs: 7, mode: 'a' });
  });

  it('refuses invalid, future and unmigratable configs with ConfigError naming the problem', () => {
    expect(() => migratePluginConfig(plugin, { configVersion: 3, pollIntervalMs: -1 })).toThrow(/pollIntervalMs/);
    expect(() => migratePluginConfig(plugin, { configVersion: 3, pollIntervalMs: 1, extra: 1 })).toThrow(ConfigError);
    expect(() => migratePluginConfig(plugin, { configVersion: 4 })).toThrow(/newer than this backend's 3/);
    expect(() => migratePluginConfig(plugin, { configVersion: 0 })).toThrow(/positive integer/);
    expect(() => migratePluginConfig({ ...plugin, migrations: plugin.migrations!.slice(1) }, { poll: 1 })).toThrow(/no migration from config version 1/);
  });

  it('registers plugins once by id', () => {
    const registry = new QueuePluginRegistry().register(memoryQueuePlugin).register(memoryQueuePlugin);
    expect(registry.getPlugins().map((p) => p.id)).toEqual(['memory']);
    expect(registry.getPlugin('memory')).toBe(memoryQueuePlugin);
    expect(() => registry.register({ ...memoryQueuePlugin })).toThrow(/already registered/);
    expect(registry.getPlugin('nope')).toBeUndefined();
    expect(() => registry.require('nope')).toThrow(/registered: memory/);
  });
});

describe('the stable queue proxy', () => {
  it('lets operations under way finish before a switch, holds new ones until it is done, and replays consumers', async () => {
    const plugins = new QueuePluginRegistry().register(memoryQueuePlugin);
    const queues = new NamedQueues({ plugins, logger: testLogger(), initial: { pluginId: 'memory', config: { configVersion: 2, delayMultiplier: 0.01 } } });
    const queue = queues.getQueue<{ n: number }>('proxied');
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await queue.consume(
      async (job) => {
        if (job.data.n === 1) await gate;
        seen.push(job.data.n);
      },
      { consumerGroup: 'g', concurrency: 1 },
    );
    await queue.enqueue({ n: 1 });
    await waitFor(async () => (await queue.getInFlightCount()) === 1, 'the first job running');
    const switching = queues.setActiveBackend('memory', { configVersion: 2, delayMultiplier: 0.01, concurrency: 2 });
    const during = queue.enqueue({ n: 2 });
    let switched = false;
    void switching.then(() => (switched = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(switched).toBe(false);
    release();
    await switching;
    await during;
    await waitFor(() => seen.length === 2, 'both jobs');
    // The job that was running finished on the old backend; the one enqueued during the switch ran on the new one.
    expect(seen).toEqual([1, 2]);
    expect(queues.getQueue('proxied')).toBe(queue);
    await queues.shutdown();
  });
});
