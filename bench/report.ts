/**
 * The bench's output: one row per figure (queue, BullMQ, ratio), the targets, and the JSON
 * file the team quotes (bench/results/latest.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';

export interface Target {
  /** e.g. "≥ 0.25× BullMQ", "< 5 ms". */
  text: string;
  /** Decided from the figures; null when a side is missing. */
  met: boolean | null;
}

export interface Figure {
  scenario: string;
  metric: string;
  unit: string;
  queue: number | null;
  bullmq: number | null;
  /** Which direction is better, for reading the ratio. */
  better: 'higher' | 'lower';
  target?: Target;
  note?: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  figures: Figure[];
  /** Raw numbers, breakdowns and notes (JSON only). */
  details: Record<string, unknown>;
  error?: string;
  seconds: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  totalSeconds: number;
  command: string;
  environment: Record<string, unknown>;
  settings: Record<string, unknown>;
  scenarios: ScenarioResult[];
  targets: Array<{ figure: string; target: string; queue: number | null; bullmq: number | null; ratio: number | null; met: boolean | null }>;
  embeddedMongo?: unknown;
}

export function ratio(queue: number | null, bullmq: number | null): number | null {
  if (queue === null || bullmq === null || !Number.isFinite(queue) || !Number.isFinite(bullmq) || bullmq === 0) return null;
  return queue / bullmq;
}

export function environment(extra: Record<string, unknown>): Record<string, unknown> {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    ...extra,
  };
}

function fmt(value: number | null, unit = ''): string {
  if (value === null || Number.isNaN(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
  return unit ? `${text} ${unit}` : text;
}

function loadText(load: unknown): string {
  const l = load as { start?: number; end?: number } | undefined;
  return l ? `${l.start ?? '?'} → ${l.end ?? '?'}` : 'unknown';
}

function fmtRatio(r: number | null): string {
  if (r === null) return '—';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

function mark(met: boolean | null): string {
  return met === null ? 'n/a' : met ? 'MET' : 'MISSED';
}

export function collectTargets(scenarios: ScenarioResult[]): BenchReport['targets'] {
  const out: BenchReport['targets'] = [];
  for (const s of scenarios) {
    for (const f of s.figures) {
      if (!f.target) continue;
      out.push({ figure: `${s.title}: ${f.metric}`, target: f.target.text, queue: f.queue, bullmq: f.bullmq, ratio: ratio(f.queue, f.bullmq), met: f.target.met });
    }
  }
  return out;
}

/** The markdown the bench prints: the figures table, then the targets. */
export function renderMarkdown(report: BenchReport): string {
  const lines: string[] = [];
  const env = report.environment;
  lines.push(`## Queue vs BullMQ — ${report.finishedAt}`);
  lines.push('');
  lines.push(
    `MongoDB: ${String(env.mongo)} · Redis: private redis-server ${String(env.redisVersion)} per side · Node ${String(env.node)} · ${String(env.cpus)} CPU (${String(env.cpuModel)}) · load average ${loadText(env.loadAverage1m)} · ${report.totalSeconds.toFixed(0)} s total`,
  );
  lines.push('');
  lines.push('Ratio = queue ÷ BullMQ (for jobs/s higher is better; for latency and commands lower is better).');
  lines.push('');
  lines.push('| Scenario | Figure | Queue | BullMQ 6.7 | Ratio | Target |');
  lines.push('|---|---|---:|---:|---:|---|');
  for (const s of report.scenarios) {
    if (s.error) lines.push(`| ${s.title} | **error** | ${s.error.replace(/\|/g, '/')} | | | |`);
    for (const f of s.figures) {
      const target = f.target ? `${f.target.text}: **${mark(f.target.met)}**` : '';
      const metric = f.note ? `${f.metric} (${f.note})` : f.metric;
      lines.push(`| ${s.title} | ${metric} | ${fmt(f.queue, f.unit)} | ${fmt(f.bullmq, f.unit)} | ${fmtRatio(ratio(f.queue, f.bullmq))} | ${target} |`);
    }
  }
  lines.push('');
  lines.push('### Targets');
  lines.push('');
  lines.push('| Target | Figure | Queue | BullMQ | Result |');
  lines.push('|---|---|---:|---:|---|');
  for (const t of report.targets) {
    lines.push(`| ${t.target} | ${t.figure} | ${fmt(t.queue)} | ${fmt(t.bullmq)} | **${mark(t.met)}** |`);
  }
  if (report.embeddedMongo !== undefined) {
    lines.push('');
    lines.push('### Embedded MongoDB (runEmbeddedMongoBench)');
    lines.push('');
    const outcome = report.embeddedMongo as { ran?: boolean; result?: unknown; skipped?: string; error?: string };
    if (outcome?.ran) {
      lines.push('| Figure | Value |');
      lines.push('|---|---:|');
      for (const [key, value] of flattenNumbers(outcome.result)) lines.push(`| ${key} | ${fmt(value)} |`);
    } else {
      lines.push(`Not run: ${outcome?.skipped ?? outcome?.error ?? 'unknown reason'}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

/** Numeric leaves of an unknown result, as dotted paths (bounded: the first 60). */
export function flattenNumbers(value: unknown, prefix = '', out: Array<[string, number]> = []): Array<[string, number]> {
  if (out.length >= 60) return out;
  if (typeof value === 'number') out.push([prefix || 'value', value]);
  else if (Array.isArray(value)) value.forEach((v, i) => flattenNumbers(v, `${prefix}[${i}]`, out));
  else if (value && typeof value === 'object') {
    const named = (value as { name?: unknown; label?: unknown }).name ?? (value as { label?: unknown }).label;
    for (const [k, v] of Object.entries(value)) {
      if (k === 'name' || k === 'label') continue;
      const base = typeof named === 'string' && prefix ? `${prefix.replace(/\[\d+\]$/, '')}.${named}` : prefix;
      flattenNumbers(v, base ? `${base}.${k}` : k, out);
    }
  }
  return out;
}

export function writeJson(path: string, report: BenchReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
