import pc from 'picocolors';
import { ObjectId } from 'mongodb';
import { resolveActor } from '../../src/cli/actor';
import { CliUsageError, ExitCode, parseJsonArgument, parseJsonObjectArgument, reportError } from '../../src/cli/cli-errors';
import { renderBar } from '../../src/cli/render/bar';
import { formatDuration } from '../../src/cli/render/format';
import { renderJobDetail } from '../../src/cli/render/job-view';
import { computeRates, renderMonitorFrame, type MonitorSnapshot } from '../../src/cli/render/monitor-frame';
import { ALL_JOB_STATUSES } from '../../src/domain/job-status';
import { BANDS_IN_ORDER, type PriorityBand } from '../../src/domain/priority-band';
import { UnknownJobTypeError } from '../../src/errors';
import type { QueueStats, StatusCounts } from '../../src/manager/queue-stats';
import type { JobDocument } from '../../src/storage/job-store';

const plain = pc.createColors(false);
const AT = new Date('2025-03-01T12:00:00.000Z');

function counts(partial: Partial<StatusCounts> = {}): StatusCounts {
  return { ...(Object.fromEntries(ALL_JOB_STATUSES.map((s) => [s, 0])) as StatusCounts), ...partial };
}

function snapshot(overrides: { at?: Date; completed?: number; dead?: number; redisDown?: boolean } = {}): MonitorSnapshot {
  const byBand: Record<PriorityBand, StatusCounts> = {
    CRITICAL: counts({ pending: 6, batched: 4 }),
    HIGH: counts({ pending: 5 }),
    NORMAL: counts({ scheduled: 2 }),
    LOW: counts(),
  };
  const completed = overrides.completed ?? 100;
  const dead = overrides.dead ?? 3;
  const stats: QueueStats = {
    queue: 'orders',
    scheduled: 2,
    pending: 11,
    batched: 4,
    processing: 1,
    completed,
    failed: dead,
    dead,
    cancelled: 0,
    total: 18 + completed + dead,
    byBand,
    oldestReadyAgeMs: { CRITICAL: 4_500, HIGH: 125_000, NORMAL: null, LOW: null },
    batchInfo: { currentBatch: overrides.redisDown ? null : 4, totalBatches: 2, cacheHitRate: 0.9, batchesLoaded: 3, batchSize: 50, cachedByBand: overrides.redisDown ? null : { CRITICAL: 4, HIGH: 0, NORMAL: 0, LOW: 0 } },
  };
  return {
    at: overrides.at ?? AT,
    stats,
    dlq: { totalEntries: 3, unreviewed: 2, byJobType: { email_send: 3 }, byFailureReason: { handler_error: 3 }, bySeverity: { critical: 1, low: 2 }, oldestEntry: AT },
    workers: [
      {
        workerId: 'worker-a',
        concurrency: 4,
        currentJobs: ['job-42'],
        processedJobs: 90,
        failedJobs: 2,
        uptime: 60_000,
        lastSeenAt: AT.toISOString(),
        jobs: [{ jobId: 'job-42', type: 'email_send', status: 'processing', processingAt: AT }],
      },
      { workerId: 'worker-b', concurrency: 2, currentJobs: [], processedJobs: 10, failedJobs: 1, uptime: 1_000, lastSeenAt: AT.toISOString(), jobs: [] },
    ],
  };
}

describe('monitor frame', () => {
  const earlier = snapshot({ at: new Date(AT.getTime() - 2_000), completed: 95, dead: 2 });
  const now = snapshot();

  it('shows a backlog bar per band, scaled to the largest band, with counts and oldest ready age', () => {
    const frame = renderMonitorFrame(plain, now, computeRates(now, earlier), { width: 80, showQuitHint: false });
    const bandLine = (band: PriorityBand) => frame.split('\n').find((line) => line.startsWith(band)) ?? '';
    expect(BANDS_IN_ORDER.map((band) => bandLine(band) !== '')).toEqual([true, true, true, true]);
    const filled = (band: PriorityBand) => (bandLine(band).match(/█/g) ?? []).length;
    // CRITICAL (10 ready) fills its bar; HIGH (5) half of it; NORMAL has only scheduled jobs, so no ready backlog.
    expect(filled('CRITICAL')).toBeGreaterThan(0);
    expect(bandLine('CRITICAL')).not.toContain('░');
    expect(Math.abs(filled('HIGH') - filled('CRITICAL') / 2)).toBeLessThanOrEqual(1);
    expect(filled('NORMAL')).toBe(0);
    expect(bandLine('CRITICAL')).toMatch(/ 10 +4\.5s$/);
    expect(bandLine('HIGH')).toMatch(/ 5 +2m 5s$/);
    expect(bandLine('LOW')).toMatch(/ 0 +-$/);
    expect(frame).toContain('scheduled 2 · processing 1 · completed 100 · dead 3');
  });

  it('shows throughput between refreshes, failures, DLQ counts and workers with their current jobs', () => {
    const frame = renderMonitorFrame(plain, now, computeRates(now, earlier), { width: 100, showQuitHint: true });
    expect(frame).toContain('queue orders  2025-03-01 12:00:00Z  Redis ok  (q to quit)');
    expect(frame).toMatch(/Throughput +2\.5\/s completed/);
    expect(frame).toMatch(/Failures +3 dead \(\+1 since last refresh\)/);
    expect(frame).toMatch(/DLQ +3 entries, 2 unreviewed · critical 1 · low 2/);
    expect(frame).toContain('Workers (2)');
    expect(frame).toContain('  worker-a  1/4  done 90  failed 2  job-42 (email_send)');
    expect(frame).toContain('  worker-b  0/2  done 10  failed 1  idle');
  });

  it('has no rates on the first frame and says when Redis is unreachable', () => {
    const first = snapshot({ redisDown: true });
    const frame = renderMonitorFrame(plain, first, computeRates(first, undefined), { width: 80, showQuitHint: false });
    expect(frame).toMatch(/Throughput +- completed/);
    expect(frame).toMatch(/Failures +3 dead$/m);
    expect(frame).toContain('Redis unreachable (degraded)');
    expect(frame).not.toContain('q to quit');
  });

  it('keeps every line within the terminal width and uses colour only when asked', () => {
    const frame = renderMonitorFrame(plain, now, computeRates(now, earlier), { width: 50, showQuitHint: false });
    for (const line of frame.split('\n').filter((l) => l.startsWith('  worker') || BANDS_IN_ORDER.some((b) => l.startsWith(b)))) {
      expect(line.length).toBeLessThanOrEqual(50);
    }
    expect(frame).not.toMatch(/\x1b\[/);
    expect(renderMonitorFrame(pc.createColors(true), now, computeRates(now, earlier), { width: 80, showQuitHint: false })).toMatch(/\x1b\[/);
  });

  it('never reports negative throughput or failures when counts drop', () => {
    const later = snapshot({ at: new Date(AT.getTime() + 1_000), completed: 10, dead: 0 });
    expect(computeRates(later, now)).toEqual({ completedPerSecond: 0, newFailures: 0 });
  });
});

describe('text helpers', () => {
  it('draws bars in proportion, with at least one cell for any non-zero value', () => {
    expect(renderBar(5, 10, 10)).toBe('█████░░░░░');
    expect(renderBar(1, 1000, 10)).toBe('█░░░░░░░░░');
    expect(renderBar(0, 0, 4)).toBe('░░░░');
    expect(renderBar(20, 10, 4)).toBe('████');
  });

  it('formats durations for people', () => {
    expect([formatDuration(null), formatDuration(950), formatDuration(4_500), formatDuration(61_000), formatDuration(3_600_000), formatDuration(90_061_000)]).toEqual([
      '-',
      '950ms',
      '4.5s',
      '1m 1s',
      '1h',
      '1d 1h',
    ]);
  });

  it('renders a job with its history and each failed attempt', () => {
    const job = {
      _id: new ObjectId(),
      jobId: 'job-1',
      queue: 'orders',
      type: 'email_send',
      data: { to: 'a@example.com' },
      priority: 12,
      band: 'HIGH',
      status: 'dead',
      attempts: 2,
      maxAttempts: 2,
      runAt: AT,
      createdAt: AT,
      errors: [{ attempt: 1, message: 'SMTP refused', name: 'Error', code: 'ECONNREFUSED', workerId: 'w1', durationMs: 40, at: AT }],
      history: [
        { from: null, to: 'pending', at: AT, by: 'alice' },
        { from: 'processing', to: 'dead', at: AT, by: 'w1', reason: 'attempts exhausted (2/2)' },
      ],
    } as unknown as JobDocument;
    const text = renderJobDetail(plain, job);
    expect(text).toContain('Job job-1');
    expect(text).toContain('12 (HIGH)');
    expect(text).toMatch(/History \(2\)[\s\S]*alice[\s\S]*attempts exhausted \(2\/2\)/);
    expect(text).toMatch(/Errors \(1\)[\s\S]*ECONNREFUSED[\s\S]*SMTP refused/);
  });
});

describe('arguments, errors and the actor', () => {
  it('names the argument that holds bad JSON and classifies it as a usage error', () => {
    expect(() => parseJsonArgument('<json-data>', '{oops')).toThrow(/^<json-data> is not valid JSON/);
    expect(() => parseJsonObjectArgument('--corrections', '[1]')).toThrow('--corrections must be a JSON object');
    expect(parseJsonObjectArgument('--corrections', '{"a":1}')).toEqual({ a: 1 });
    const report = reportError(new CliUsageError('bad'));
    expect(report).toEqual({ line: 'error: INVALID_ARGUMENT: bad', exitCode: ExitCode.Usage });
  });

  it('prints a typed error as one line with its code, and exits 1', () => {
    const report = reportError(new UnknownJobTypeError('nope', ['email_send']));
    expect(report.exitCode).toBe(ExitCode.Failure);
    expect(report.line).toMatch(/^error: UNKNOWN_JOB_TYPE: Unknown job type "nope"/);
    expect(report.line).not.toContain('\n');
    expect(reportError(Object.assign(new Error('connect\nrefused'), { code: 'ECONNREFUSED' })).line).toBe('error: Error ECONNREFUSED: connect refused');
  });

  it('takes the actor from --as, then $QUEUE_ADMIN, then the OS user', () => {
    expect(resolveActor('carol', { QUEUE_ADMIN: 'bob' })).toBe('carol');
    expect(resolveActor(undefined, { QUEUE_ADMIN: 'bob' })).toBe('bob');
    expect(resolveActor('  ', {}).length).toBeGreaterThan(0);
  });
});
