/**
 * A third-party queue backend written only to the documented interface (Queue, QueuePlugin and
 * the types next to them): jobs in Redis sorted sets, one ready set and one delayed set per
 * consumer group, polled by each queue object. It knows nothing of the product's extras
 * (context, progress, pause, metrics, cron, polling control), which is the point: the manager
 * must drive it through Queue<T> alone.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { z } from 'zod';
import type { ConsumeOptions, Queue, QueueConsumer, QueueJob, QueuePlugin, QueueStats, RecurringJobDetails } from '../../../src';

const configSchema = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(1).max(65535),
    /** Key prefix, so one Redis can hold several deployments (and tests). */
    prefix: z.string().min(1),
    pollIntervalMs: z.number().int().min(5).default(20),
    concurrency: z.number().int().min(1).default(10),
    delayMultiplier: z.number().min(0).max(1).default(1),
  })
  .strict();

export type SortedSetQueueConfig = z.output<typeof configSchema>;

interface StoredJob<T> {
  id: string;
  data: T;
  priority: number;
  timestamp: number;
  availableAt: number;
}

interface StoredSchedule<T> {
  data: T;
  intervalSeconds: number;
  nextRunAt: number;
  lastRunAt: number | null;
  runCount: number;
  createdAt: number;
}

interface Group<T> {
  consumers: Array<{ consumer: QueueConsumer<T>; maxRetries: number }>;
  next: number;
}

/** Members sort by sequence within a score, so equal priorities run FIFO. */
const memberOf = (seq: number, id: string): string => `${String(seq).padStart(15, '0')}:${id}`;
const idOf = (member: string): string => member.slice(16);

export class SortedSetQueue<T> implements Queue<T> {
  private readonly redis: Redis;
  private readonly groups = new Map<string, Group<T>>();
  private readonly runs = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly config: SortedSetQueueConfig,
  ) {
    // One retry per command, a short reconnect delay and a command deadline: a Redis that is gone fails calls quickly.
    this.redis = new Redis({ host: config.host, port: config.port, maxRetriesPerRequest: 1, retryStrategy: () => 100, commandTimeout: 1_000, connectTimeout: 500 });
    this.redis.on('error', () => undefined);
  }

  async enqueue(data: T, options?: { priority?: number; startDelay?: number; jobId?: string }): Promise<string> {
    const id = options?.jobId ?? randomUUID();
    const now = Date.now();
    const job: StoredJob<T> = { id, data, priority: options?.priority ?? 0, timestamp: now, availableAt: now + this.scaled((options?.startDelay ?? 0) * 1000) };
    if ((await this.redis.set(this.key(`job:${id}`), JSON.stringify(job), 'NX')) === null) return id;
    const member = memberOf(await this.redis.incr(this.key('seq')), id);
    const groups = await this.redis.smembers(this.key('groups'));
    if (groups.length === 0) await this.redis.zadd(this.key('waiting'), 0, member);
    for (const group of groups) await this.place(group, job, member);
    return id;
  }

  async consume(consumer: QueueConsumer<T>, options: ConsumeOptions): Promise<void> {
    if (this.stopped) throw new Error(`queue ${this.name} is stopped`);
    const name = options.consumerGroup;
    const group = this.groups.get(name) ?? { consumers: [], next: 0 };
    this.groups.set(name, group);
    group.consumers.push({ consumer, maxRetries: options.maxRetries ?? 3 });
    await this.redis.sadd(this.key('groups'), name);
    // Jobs enqueued before any group existed go to the first group that registers.
    for (const member of await this.redis.zrange(this.key('waiting'), 0, -1)) {
      if ((await this.redis.zrem(this.key('waiting'), member)) !== 1) continue;
      const job = await this.load(idOf(member));
      if (job) await this.place(name, job, member);
    }
    this.startLoop();
  }

  async scheduleRecurring(jobId: string, data: T, intervalSeconds: number, options?: { startDelay?: number }): Promise<void> {
    const existing = await this.schedule(jobId);
    const now = Date.now();
    const schedule: StoredSchedule<T> = {
      data,
      intervalSeconds,
      nextRunAt: now + this.scaled((options?.startDelay ?? intervalSeconds) * 1000),
      lastRunAt: existing?.lastRunAt ?? null,
      runCount: existing?.runCount ?? 0,
      createdAt: existing?.createdAt ?? now,
    };
    await this.redis.hset(this.key('recurring'), jobId, JSON.stringify(schedule));
    this.startLoop();
  }

  async cancelRecurring(jobId: string): Promise<void> {
    await this.redis.hdel(this.key('recurring'), jobId);
  }

  async listRecurringJobs(): Promise<string[]> {
    return (await this.redis.hkeys(this.key('recurring'))).sort();
  }

  async getRecurringJobDetails(jobId: string): Promise<RecurringJobDetails | undefined> {
    const s = await this.schedule(jobId);
    if (!s) return undefined;
    return {
      jobId,
      queue: this.name,
      data: s.data,
      schedule: { kind: 'interval', intervalSeconds: s.intervalSeconds },
      priority: 0,
      nextRunAt: new Date(s.nextRunAt),
      lastRunAt: s.lastRunAt === null ? null : new Date(s.lastRunAt),
      runCount: s.runCount,
      createdAt: new Date(s.createdAt),
    };
  }

  async getInFlightCount(): Promise<number> {
    return this.runs.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling;
    await Promise.allSettled([...this.runs]);
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  async getStats(): Promise<QueueStats> {
    const groups = await this.redis.smembers(this.key('groups'));
    let pending = await this.redis.zcard(this.key('waiting'));
    for (const group of groups) pending += (await this.redis.zcard(this.key(`ready:${group}`))) + (await this.redis.zcard(this.key(`delayed:${group}`)));
    const counts = await this.redis.hgetall(this.key('stats'));
    return { pending, processing: this.runs.size, completed: Number(counts.completed ?? 0), failed: Number(counts.failed ?? 0), consumerGroups: groups.length };
  }

  async testConnection(): Promise<void> {
    const answer = await this.redis.ping();
    if (answer !== 'PONG') throw new Error(`Redis answered ${answer}`);
  }

  private startLoop(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      if (this.polling) return;
      this.polling = this.pollOnce()
        .catch(() => undefined)
        .finally(() => (this.polling = undefined));
    }, this.config.pollIntervalMs);
    this.timer.unref();
  }

  private async pollOnce(): Promise<void> {
    await this.fireSchedules();
    for (const [name, group] of this.groups) {
      for (const member of await this.redis.zrangebyscore(this.key(`delayed:${name}`), 0, Date.now())) {
        if ((await this.redis.zrem(this.key(`delayed:${name}`), member)) !== 1) continue;
        const job = await this.load(idOf(member));
        if (job) await this.redis.zadd(this.key(`ready:${name}`), -job.priority, member);
      }
      while (!this.stopped && this.runs.size < this.config.concurrency) {
        const popped = await this.redis.zpopmin(this.key(`ready:${name}`));
        if (popped.length === 0) break;
        const job = await this.load(idOf(popped[0]));
        if (!job) continue;
        const chosen = group.consumers[group.next % group.consumers.length];
        group.next += 1;
        const run = this.process(name, chosen, job, popped[0]).finally(() => this.runs.delete(run));
        this.runs.add(run);
      }
    }
  }

  /** Runs one delivery; a failure is retried after 2^attempts × 1 s while attempts < maxRetries. */
  private async process(group: string, chosen: Group<T>['consumers'][number], job: StoredJob<T>, member: string): Promise<void> {
    const attemptsKey = this.key(`attempts:${group}`);
    const attempts = Number((await this.redis.hget(attemptsKey, job.id)) ?? 0);
    const delivered: QueueJob<T> = { id: job.id, data: job.data, priority: job.priority, timestamp: new Date(job.timestamp), attempts };
    try {
      await chosen.consumer(delivered);
      await this.redis.hincrby(this.key('stats'), 'completed', 1);
      await this.redis.hdel(attemptsKey, job.id);
    } catch {
      if (attempts < chosen.maxRetries) {
        await this.redis.hset(attemptsKey, job.id, attempts + 1);
        await this.redis.zadd(this.key(`delayed:${group}`), Date.now() + this.scaled(2 ** (attempts + 1) * 1000), member);
      } else {
        await this.redis.hincrby(this.key('stats'), 'failed', 1);
        await this.redis.hdel(attemptsKey, job.id);
      }
    }
  }

  /** Each due schedule enqueues one job per tick (the tick's id dedups across instances), on a fixed grid. */
  private async fireSchedules(): Promise<void> {
    const now = Date.now();
    for (const [jobId, raw] of Object.entries(await this.redis.hgetall(this.key('recurring')))) {
      const s = JSON.parse(raw) as StoredSchedule<T>;
      if (s.nextRunAt > now) continue;
      await this.enqueue(s.data, { jobId: `${jobId}@${s.nextRunAt}` });
      const step = Math.max(1, this.scaled(s.intervalSeconds * 1000));
      let next = s.nextRunAt + step;
      while (next <= now) next += step;
      await this.redis.hset(this.key('recurring'), jobId, JSON.stringify({ ...s, nextRunAt: next, lastRunAt: s.nextRunAt, runCount: s.runCount + 1 }));
    }
  }

  private async place(group: string, job: StoredJob<T>, member: string): Promise<void> {
    if (job.availableAt <= Date.now()) await this.redis.zadd(this.key(`ready:${group}`), -job.priority, member);
    else await this.redis.zadd(this.key(`delayed:${group}`), job.availableAt, member);
  }

  private async load(id: string): Promise<StoredJob<T> | undefined> {
    const raw = await this.redis.get(this.key(`job:${id}`));
    return raw === null ? undefined : (JSON.parse(raw) as StoredJob<T>);
  }

  private async schedule(jobId: string): Promise<StoredSchedule<T> | undefined> {
    const raw = await this.redis.hget(this.key('recurring'), jobId);
    return raw === null ? undefined : (JSON.parse(raw) as StoredSchedule<T>);
  }

  private scaled(ms: number): number {
    return Math.round(ms * this.config.delayMultiplier);
  }

  private key(suffix: string): string {
    return `${this.config.prefix}:${this.name}:${suffix}`;
  }
}

export class SortedSetQueuePlugin implements QueuePlugin<SortedSetQueueConfig> {
  id = 'sorted-set';
  displayName = 'Redis sorted sets';
  description = 'Jobs in Redis sorted sets, polled';
  configVersion = 1;
  configSchema = configSchema;

  createQueue<T>(name: string, config: SortedSetQueueConfig): Queue<T> {
    return new SortedSetQueue<T>(name, config);
  }
}
