import type { PriorityBand } from '../domain/priority-band';

/**
 * Every Redis key the product uses, under `<namespace>:{<queue>}:` so deployments and tests never
 * collide. `{<queue>}` is the queue's hash tag: on a Redis Cluster every key of one queue lives in
 * one slot, so the band pop (ZMPOP or the script), pipelines and locks of a queue work there,
 * while different queues spread over the cluster's masters.
 */
export class RedisKeys {
  private readonly prefix: string;
  constructor(namespace: string, queue: string) {
    this.prefix = RedisKeys.queuePrefix(namespace, queue);
  }

  /** `<namespace>:{<queue>}`; `queue` may be a PSUBSCRIBE glob (see progressPattern). */
  private static queuePrefix(namespace: string, queue: string): string {
    return `${namespace}:{${queue}}`;
  }

  /** The progress channels of every queue whose name matches `queueGlob` (a PSUBSCRIBE pattern). */
  static progressPattern(namespace: string, queueGlob: string): string {
    return `${RedisKeys.queuePrefix(namespace, queueGlob)}:progress`;
  }
  /** Sorted set of ready job ids of one band, scored by priority then ready order. */
  band(band: PriorityBand): string {
    return `${this.prefix}:batch:${band}`;
  }
  /** Present while the band's batch is fresh; when it lapses (age or a Redis loss) the loader renews the band. */
  bandRenewal(band: PriorityBand): string {
    return `${this.prefix}:renew:${band}`;
  }
  /** List of wake-up tokens idle workers wait on where the server has no BZMPOP (see BatchCache). */
  wake(): string {
    return `${this.prefix}:wake`;
  }
  /** redlock resource held while a handler runs the job. */
  jobLock(jobId: string): string {
    return `${this.prefix}:lock:job:${jobId}`;
  }
  /** redlock resource of a singleton task (loader, sweeper, scheduler, cleanup). */
  taskLock(task: string): string {
    return `${this.prefix}:lock:task:${task}`;
  }
  /** Marks that a periodic task ran recently, so only one worker runs it per interval. */
  taskStamp(task: string): string {
    return `${this.prefix}:stamp:${task}`;
  }
  /** Hash of live workers → heartbeat JSON. */
  workers(): string {
    return `${this.prefix}:workers`;
  }
  /** Pub/sub channel of progress events of this queue's jobs. */
  progress(): string {
    return `${this.prefix}:progress`;
  }
  /** Cached values written by cache_warm. */
  cacheValue(name: string): string {
    return `${this.prefix}:cache:${name}`;
  }
}
