import type Redis from 'ioredis';
import type { RedisKeys } from '../cache/redis-keys';

/** A worker's last heartbeat as others see it. */
export interface WorkerPresence {
  workerId: string;
  hostname?: string;
  pid?: number;
  concurrency: number;
  currentJobs: string[];
  processedJobs: number;
  failedJobs: number;
  uptime: number;
  lastSeenAt: string;
}

/**
 * Live workers, from heartbeats in one Redis hash. An entry older than `staleAfterMs`
 * is a worker that died without saying goodbye: listed as gone and pruned.
 */
export class WorkerRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly staleAfterMs: number,
  ) {}

  async announce(presence: Omit<WorkerPresence, 'lastSeenAt' | 'hostname' | 'pid'>): Promise<void> {
    if (this.redis.status !== 'ready') return;
    const entry: WorkerPresence = { ...presence, hostname: process.env.HOSTNAME, pid: process.pid, lastSeenAt: new Date().toISOString() };
    await this.redis.hset(this.keys.workers(), presence.workerId, JSON.stringify(entry)).catch(() => undefined);
  }

  async remove(workerId: string): Promise<void> {
    if (this.redis.status !== 'ready') return;
    await this.redis.hdel(this.keys.workers(), workerId).catch(() => undefined);
  }

  /** Workers seen within the staleness window; stale entries are removed. */
  async list(now = Date.now()): Promise<WorkerPresence[]> {
    const raw = await this.redis.hgetall(this.keys.workers());
    const live: WorkerPresence[] = [];
    const stale: string[] = [];
    for (const [id, json] of Object.entries(raw)) {
      try {
        const entry = JSON.parse(json) as WorkerPresence;
        if (now - Date.parse(entry.lastSeenAt) > this.staleAfterMs) stale.push(id);
        else live.push(entry);
      } catch {
        stale.push(id);
      }
    }
    if (stale.length > 0) await this.redis.hdel(this.keys.workers(), ...stale);
    return live.sort((a, b) => a.workerId.localeCompare(b.workerId));
  }
}
