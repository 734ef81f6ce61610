import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ALL_JOB_STATUSES } from '../domain/job-status';
import { BANDS_IN_ORDER } from '../domain/priority-band';
import { DlqSeverity } from '../domain/dlq-record';
import type { QueueWorker } from '../worker/queue-worker';
import type { WorkerEventMap } from '../worker/worker-events';
import type { QueueSnapshot } from './queue-snapshot';

/**
 * The Prometheus metrics of one worker process, in a registry of its own (several servers can
 * live in one process, as in tests). Counters follow the worker's events; gauges come from the
 * shared snapshot of MongoDB and Redis (read at most once per its max age, whoever scrapes).
 */
export class QueueMetrics {
  readonly registry = new Registry();
  private readonly jobs: Gauge<'status' | 'band'>;
  private readonly oldestReady: Gauge<'band'>;
  private readonly dlqEntries: Gauge<'severity'>;
  private readonly hitRate: Gauge;
  private readonly mongoUp: Gauge;
  private readonly redisUp: Gauge;
  readonly processed: Counter<'type'>;
  readonly failed: Counter<'type' | 'outcome'>;
  readonly duration: Histogram<'type'>;
  readonly leaseExtensions: Counter;
  readonly fenced: Counter;

  constructor(private readonly snapshot: QueueSnapshot) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.jobs = new Gauge({ name: 'queue_jobs', help: 'Jobs by status and priority band', labelNames: ['status', 'band'], registers });
    this.oldestReady = new Gauge({ name: 'queue_oldest_ready_job_age_seconds', help: 'Age of the oldest ready job per band (the autoscaling signal)', labelNames: ['band'], registers });
    this.dlqEntries = new Gauge({ name: 'queue_dlq_entries', help: 'Dead-letter entries by severity', labelNames: ['severity'], registers });
    this.hitRate = new Gauge({ name: 'queue_batch_cache_hit_ratio', help: 'Share of claims served from a Redis batch (this process)', registers });
    this.mongoUp = new Gauge({ name: 'queue_mongodb_up', help: '1 when MongoDB answers', registers });
    this.redisUp = new Gauge({ name: 'queue_redis_up', help: '1 when Redis answers', registers });
    this.processed = new Counter({ name: 'queue_jobs_processed_total', help: 'Jobs completed by this worker', labelNames: ['type'], registers });
    this.failed = new Counter({ name: 'queue_jobs_failed_total', help: 'Failed attempts by this worker (outcome: retry or dead)', labelNames: ['type', 'outcome'], registers });
    this.duration = new Histogram({
      name: 'queue_job_duration_seconds',
      help: 'Handler run time per attempt',
      labelNames: ['type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    });
    this.leaseExtensions = new Counter({ name: 'queue_lease_extensions_total', help: 'Leases extended by heartbeats', registers });
    this.fenced = new Counter({ name: 'queue_fenced_results_total', help: 'Results refused because the lease had been lost', registers });
  }

  /** Follows a worker's events; returns what stops following them (called when the server closes). */
  observe(worker: QueueWorker): () => void {
    const onCompleted = (e: WorkerEventMap['completed'][0]) => {
      this.processed.inc({ type: e.type });
      this.duration.observe({ type: e.type }, e.durationMs / 1000);
    };
    const onFailed = (e: WorkerEventMap['failed'][0]) => {
      this.failed.inc({ type: e.type, outcome: e.outcome });
      this.duration.observe({ type: e.type }, e.durationMs / 1000);
    };
    const onFenced = () => this.fenced.inc();
    const onLeaseExtended = () => this.leaseExtensions.inc();
    worker.events.on('completed', onCompleted);
    worker.events.on('failed', onFailed);
    worker.events.on('fenced', onFenced);
    worker.events.on('leaseExtended', onLeaseExtended);
    return () => {
      worker.events.off('completed', onCompleted);
      worker.events.off('failed', onFailed);
      worker.events.off('fenced', onFenced);
      worker.events.off('leaseExtended', onLeaseExtended);
    };
  }

  /**
   * Reads the gauges, then renders the exposition text. A component that is down reads as 0 and
   * the figures that need MongoDB are left out (not kept stale); a slow read never holds up a scrape.
   */
  async render(): Promise<string> {
    const { health, queue: stats, dlq } = await this.snapshot.read();
    this.mongoUp.set(health?.mongodb.status === 'connected' ? 1 : 0);
    this.redisUp.set(health?.redis.status === 'connected' ? 1 : 0);
    if (health) this.hitRate.set(health.cache.hitRate);
    this.jobs.reset();
    this.oldestReady.reset();
    if (stats) {
      for (const band of BANDS_IN_ORDER) {
        for (const status of ALL_JOB_STATUSES) this.jobs.set({ status, band }, stats.byBand[band][status]);
        // No ready job in a band: age 0, so an autoscaler reads "nothing waiting" rather than a gap.
        this.oldestReady.set({ band }, (stats.oldestReadyAgeMs[band] ?? 0) / 1000);
      }
    }
    this.dlqEntries.reset();
    if (dlq) {
      for (const severity of Object.values(DlqSeverity)) this.dlqEntries.set({ severity }, dlq.bySeverity[severity] ?? 0);
    }
    return this.registry.metrics();
  }
}
