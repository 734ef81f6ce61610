import type { JobStatus } from '../domain/job-status';
import { DlqEntryNotFoundError, JobNotFoundError } from '../errors';
import type { QueueManager } from '../manager/queue-manager';
import type { DlqListFilter } from '../storage/dlq-repository';
import type { DlqDocument } from '../storage/dlq-store';
import type { JobDocument } from '../storage/job-store';
import type { DlqStatsView } from './render/dlq-view';
import type { WorkerView } from './render/workers-view';

/** The reads the commands and the monitor share; rendering lives in ./render. */

export interface JobListFilter {
  status?: JobStatus;
  type?: string;
  limit: number;
}

/** Newest first. */
export async function listJobs(manager: QueueManager, filter: JobListFilter): Promise<JobDocument[]> {
  return manager.jobRepository.listWithAudit({ status: filter.status, type: filter.type, limit: filter.limit });
}

export async function getJob(manager: QueueManager, jobId: string): Promise<JobDocument> {
  const job = await manager.jobRepository.findByJobId(jobId);
  if (!job) throw new JobNotFoundError(jobId);
  return job;
}

export async function listDlqEntries(manager: QueueManager, filter: DlqListFilter): Promise<DlqDocument[]> {
  return manager.dlqRepository.list(filter);
}

/** By entry id (24 hex digits) or by the dead job's jobId. */
export async function getDlqEntry(manager: QueueManager, idOrJobId: string): Promise<DlqDocument> {
  const byId = /^[0-9a-f]{24}$/i.test(idOrJobId) ? await manager.dlqRepository.findById(idOrJobId) : null;
  const entry = byId ?? (await manager.dlqRepository.findByJobId(idOrJobId));
  if (!entry) throw new DlqEntryNotFoundError(idOrJobId);
  return entry;
}

export async function getDlqStats(manager: QueueManager): Promise<DlqStatsView> {
  const [stats, unreviewed] = await Promise.all([
    manager.getDLQStats(),
    manager.dlqRepository.count({ reviewed: false }),
  ]);
  return { ...stats, unreviewed };
}

/** Live workers from their heartbeats, each running job looked up in MongoDB (one query for all). */
export async function listWorkers(manager: QueueManager): Promise<WorkerView[]> {
  const workers = await manager.workerRegistry.list();
  const jobIds = workers.flatMap((worker) => worker.currentJobs);
  const docs = await manager.jobRepository.findByJobIds(jobIds, ['type', 'status', 'processingAt']);
  const byJobId = new Map(docs.map((doc) => [doc.jobId, doc]));
  return workers.map((worker) => ({
    ...worker,
    jobs: worker.currentJobs.map((jobId) => {
      const doc = byJobId.get(jobId);
      return { jobId, type: doc?.type ?? null, status: doc?.status ?? null, processingAt: doc?.processingAt ?? null };
    }),
  }));
}
