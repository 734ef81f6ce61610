import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { RedisKeys } from '../cache/redis-keys';
import type { WorkerDuty } from '../worker/worker-port';
import { MaintenanceLoop, type MaintenanceParts } from './maintenance-loop';

/** Task lock and lease of the sweep: one per namespace (a queue name cannot be `*`). */
const NAMESPACE_KEYS_QUEUE = '*';

interface JoinedQueue {
  loop: MaintenanceLoop;
  holders: number;
}

/**
 * The maintenance of one namespace in this process, on while any worker of it runs: each queue's
 * own tasks (scheduler, loader, write probe, cleanup schedule) once per queue however many
 * workers run it, and the queue-wide sweep (expired batches and leases, stalled jobs, DLQ
 * repairs: one pass covers every queue of the collection) once for all of them, followed by each
 * queue's own part (releasing its batches while Redis is down, reloading what was returned).
 */
export class NamespaceMaintenance {
  private readonly queues = new Map<string, JoinedQueue>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private readonly holder = `sweeper-${randomUUID()}`;
  /** Sweep passes this process ran (it held the sweep's lock). */
  sweeps = 0;

  constructor(
    private readonly namespace: string,
    private readonly logger: Logger,
  ) {}

  /** Turns the maintenance of `parts`' queue on until the returned duty is released. */
  join(parts: MaintenanceParts, typeBatchSize: number): WorkerDuty {
    const name = parts.config.name;
    let joined = this.queues.get(name);
    if (!joined) {
      joined = { loop: new MaintenanceLoop(parts, this.logger, typeBatchSize), holders: 0 };
      joined.loop.start({ sweeper: false });
      this.queues.set(name, joined);
    }
    joined.holders += 1;
    this.sweeper ??= this.startSweeper(parts.config.worker.sweepInterval);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.leave(name);
      },
    };
  }

  /** Queues whose maintenance runs here now. */
  get queueCount(): number {
    return this.queues.size;
  }

  private async leave(name: string): Promise<void> {
    const joined = this.queues.get(name);
    if (!joined) return;
    joined.holders -= 1;
    if (joined.holders > 0) return;
    this.queues.delete(name);
    if (this.queues.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
    await joined.loop.stop();
    if (this.queues.size === 0) await this.sweeping;
  }

  private startSweeper(intervalMs: number): NodeJS.Timeout {
    const timer = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.sweepOnce()
        .catch((error: Error) => this.logger.warn({ task: 'sweeper', err: error.message }, 'maintenance task failed; will retry'))
        .finally(() => (this.sweeping = undefined));
    }, intervalMs);
    timer.unref();
    return timer;
  }

  /** One sweep under the namespace's lock (a MongoDB lease while Redis cannot answer). */
  private async sweepOnce(): Promise<void> {
    const loops = [...this.queues.values()].map((q) => q.loop);
    const [first] = loops;
    if (!first) return;
    const { locks, taskLeases, config } = first.parts;
    const ttlMs = Math.max(config.worker.sweepInterval * 3, 5_000);
    const pass = async () => {
      this.sweeps += 1;
      const shared = await first.sweepShared();
      for (const loop of loops) await loop.sweepOwn(shared);
    };
    const underLease = async () => {
      const id = `${this.namespace}:sweeper`;
      if (!(await taskLeases.tryTake(id, this.holder, ttlMs, new Date()))) return;
      try {
        await pass();
      } finally {
        await taskLeases.release(id, this.holder).catch(() => undefined);
      }
    };
    await locks.runExclusive(new RedisKeys(this.namespace, NAMESPACE_KEYS_QUEUE).taskLock('sweeper'), ttlMs, pass, underLease);
  }
}

/** The maintenance roles of this process, one per (database, namespace). */
export class MaintenanceRoles {
  private readonly roles = new Map<string, NamespaceMaintenance>();

  /** Joins `parts`' queue to the maintenance of its database and namespace (started on first join). */
  join(parts: MaintenanceParts, logger: Logger, typeBatchSize: number): WorkerDuty {
    const key = roleKey(parts);
    let role = this.roles.get(key);
    if (!role) {
      role = new NamespaceMaintenance(parts.config.cache.namespace, logger.child({ component: 'maintenance', namespace: parts.config.cache.namespace }));
      this.roles.set(key, role);
    }
    const duty = role.join(parts, typeBatchSize);
    return {
      release: async () => {
        await duty.release();
        if (role.queueCount === 0 && this.roles.get(key) === role) this.roles.delete(key);
      },
    };
  }

  /** The role of `parts`' database and namespace, if running. */
  roleOf(parts: Pick<MaintenanceParts, 'config'>): NamespaceMaintenance | undefined {
    return this.roles.get(roleKey(parts));
  }
}

function roleKey(parts: Pick<MaintenanceParts, 'config'>): string {
  const { mongodb, cache } = parts.config;
  return `${mongodb.connectionString}|${mongodb.dbName ?? ''}|${cache.namespace}`;
}
