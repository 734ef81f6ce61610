import type Redis from 'ioredis';
import type { Connection } from 'mongoose';

export type HealthState = 'healthy' | 'degraded' | 'unhealthy';

export interface ComponentHealth {
  status: 'up' | 'down';
  latencyMs: number | null;
  error?: string;
}

export interface HealthReport {
  overall: HealthState;
  timestamp: Date;
  mongodb: ComponentHealth;
  redis: ComponentHealth;
  cache: { status: 'active' | 'bypassed'; hitRate: number };
  performance: { mongoPingMs: number | null; redisPingMs: number | null };
}

async function timed(check: () => Promise<unknown>, timeoutMs: number): Promise<ComponentHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return { status: 'down', latencyMs: null, error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** MongoDB down: unhealthy (nothing can be recorded). Redis down: degraded (workers claim from MongoDB). */
export async function checkComponents(connection: Connection, redis: Redis, hitRate: number, timeoutMs: number): Promise<HealthReport> {
  const [mongodb, redisHealth] = await Promise.all([
    timed(async () => {
      const db = connection.db;
      if (!db || connection.readyState !== 1) throw new Error('not connected');
      await db.command({ ping: 1 });
    }, timeoutMs),
    timed(async () => {
      if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
      await redis.ping();
    }, timeoutMs),
  ]);
  const overall: HealthState = mongodb.status === 'down' ? 'unhealthy' : redisHealth.status === 'down' ? 'degraded' : 'healthy';
  return {
    overall,
    timestamp: new Date(),
    mongodb,
    redis: redisHealth,
    cache: { status: redisHealth.status === 'up' ? 'active' : 'bypassed', hitRate },
    performance: { mongoPingMs: mongodb.latencyMs, redisPingMs: redisHealth.latencyMs },
  };
}
