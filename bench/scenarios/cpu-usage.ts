/**
 * CPU time spent by each part of a run, for the capacity plan (docs/scaling.md): this process (the
 * worker and its clients), the side's redis-server (INFO cpu) and the MongoDB server when it is a
 * child process of the bench (/proc/<pid>/stat). CPU time, not wall time, so a busy shared
 * machine slows a run without changing much what each job costs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type Redis from 'ioredis';

export interface CpuSample {
  /** ms of CPU of this process (user + system). */
  worker: number;
  /** ms of CPU of the redis-server (used_cpu_user + used_cpu_sys). */
  redis: number;
  /** ms of CPU of the MongoDB server process; null when it is not a child of the bench. */
  mongo: number | null;
}

export interface CpuPerJob {
  workerMs: number;
  redisMs: number;
  mongoMs: number | null;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return clockTicks;
}

function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond()) * 1000;
  } catch {
    return null;
  }
}

export async function sampleCpu(redis: Redis, mongoPid: number | undefined): Promise<CpuSample> {
  const own = process.cpuUsage();
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return { worker: (own.user + own.system) / 1000, redis: (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000, mongo: processCpuMs(mongoPid) };
}

export function cpuPerJob(before: CpuSample, after: CpuSample, jobs: number): CpuPerJob {
  const per = (ms: number) => Math.round((ms / Math.max(1, jobs)) * 1000) / 1000;
  return {
    workerMs: per(after.worker - before.worker),
    redisMs: per(after.redis - before.redis),
    mongoMs: before.mongo === null || after.mongo === null ? null : per(after.mongo - before.mongo),
  };
}
