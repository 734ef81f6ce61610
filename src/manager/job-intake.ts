import type { QueueConfig } from '../config/queue-config';
import type { JobRecord } from '../domain/job-record';
import { JobStatus } from '../domain/job-status';
import type { JobRegistry } from '../registry/job-registry';
import type { JobDocument, JobStore } from '../storage/job-store';
import { withinStorageDeadline } from '../storage/storage-outage';
import { buildJobRecord } from './job-builder';
import type { AddJobInput, AddJobResult } from './job-input';
import type { JobLifecycle } from './job-lifecycle';

/** Jobs per insertMany in addJobs: one round trip per chunk. */
const ADD_CHUNK = 1000;

/** Adding jobs to one queue: validate every job first, write MongoDB, then offer the ready ones to Redis. */
export class JobIntake {
  constructor(
    private readonly config: QueueConfig,
    private readonly registry: JobRegistry,
    private readonly store: JobStore,
    private readonly lifecycle: JobLifecycle,
  ) {}

  /** Validates and stores one job; a second add with the same jobId returns the existing job. */
  async add(input: AddJobInput, by: string): Promise<AddJobResult> {
    const [result] = await this.insert([buildJobRecord(input, this.registry, this.config, new Date(), by)]);
    return result;
  }

  /** Validates every job first (nothing is written if one is bad), then inserts in chunks. */
  async addMany(inputs: ReadonlyArray<AddJobInput>, by: string): Promise<AddJobResult[]> {
    const now = new Date();
    const records = inputs.map((input) => buildJobRecord(input, this.registry, this.config, now, by));
    const results: AddJobResult[] = [];
    for (let i = 0; i < records.length; i += ADD_CHUNK) {
      results.push(...(await this.insert(records.slice(i, i + ADD_CHUNK))));
    }
    return results;
  }

  /** Inserts built records (a duplicate jobId answers with the job that exists) and offers the ready ones. */
  async insert(records: JobRecord[]): Promise<AddJobResult[]> {
    const timeoutMs = this.config.mongodb.storageTimeoutMs;
    const duplicates = await withinStorageDeadline('the insert of new jobs', timeoutMs, () => this.store.enqueue(records));
    const existing = new Map<string, JobDocument>();
    if (duplicates.size > 0) {
      const ids = [...duplicates].map((i) => records[i].jobId);
      const docs = await withinStorageDeadline('the read of existing jobs', timeoutMs, () => this.store.findByJobIds(this.config.name, ids));
      for (const doc of docs) existing.set(doc.jobId, doc);
    }
    const fresh = records.filter((r, i) => !duplicates.has(i) && r.status === JobStatus.Pending);
    await this.lifecycle.offer(fresh.map((r) => ({ jobId: r.jobId, priority: r.priority, band: r.band, orderKey: r.orderKey })));
    return records.map((record, i) => {
      const doc = duplicates.has(i) ? existing.get(record.jobId) ?? record : record;
      return { jobId: doc.jobId, status: doc.status, priority: doc.priority, band: doc.band, runAt: doc.runAt, deduplicated: duplicates.has(i) };
    });
  }
}
