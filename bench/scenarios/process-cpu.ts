/**
 * CPU time of the processes one processing run involves, over exactly its window: this process
 * (the worker, `process.cpuUsage()`) and the servers it talks to (their `/proc/<pid>/stat`, with
 * the children they waited for). CPU per job is the figure that does not depend on how busy the
 * rest of the machine is.
 */
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(out.stdout?.trim());
    ticksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
  }
  return ticksPerSecond;
}

/** Microseconds of CPU (user + system, own and waited-for children) of a process; null off Linux or once it is gone. */
export function processCpuMicros(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14–17 of the line, 12–15 after the name.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks / clockTicks()) * 1_000_000;
}

export type CpuSample = Record<string, number | null>;

/** The processes to measure, by label; `self` is this process. */
export class CpuMeter {
  constructor(private readonly servers: Record<string, number | undefined>) {}

  sample(): CpuSample {
    const own = process.cpuUsage();
    const sample: CpuSample = { self: own.user + own.system };
    for (const [label, pid] of Object.entries(this.servers)) sample[label] = pid === undefined ? null : processCpuMicros(pid);
    return sample;
  }

  /** CPU µs per job by label between two samples, and their total (null where a process could not be read). */
  static perJob(before: CpuSample, after: CpuSample, jobs: number): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    let total: number | null = 0;
    for (const label of Object.keys(before)) {
      const a = before[label];
      const b = after[label];
      const value = a === null || b === null || b === undefined || jobs === 0 ? null : Math.round(((b - a) / jobs) * 10) / 10;
      out[label] = value;
      total = value === null || total === null ? null : total + value;
    }
    out.total = total === null ? null : Math.round(total * 10) / 10;
    return out;
  }
}
