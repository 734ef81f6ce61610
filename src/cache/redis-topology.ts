import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { QueueConfig } from '../config/queue-config';

/** The Redis deployments the queue connects to. */
export type RedisTopologyKind = 'standalone' | 'sentinel' | 'cluster';

export function redisTopologyKind(config: QueueConfig['redis']): RedisTopologyKind {
  if (config.clusterNodes) return 'cluster';
  if (config.sentinels) return 'sentinel';
  return 'standalone';
}

/**
 * A client for the configured topology, from the options a standalone client would get.
 * - Sentinel: the sentinels name the primary; after a failover (the demoted primary answers
 *   READONLY, or the sentinels announce +switch-master) the client reconnects to the new one.
 *   The command that met READONLY fails (it is not resent): the caller's Redis write health
 *   records it and the queue runs degraded until writes succeed again.
 * - Cluster: an ioredis Cluster over the seed nodes. It answers the same commands as a single
 *   client, and every key of one queue carries the queue's hash tag (RedisKeys), so the band
 *   pop, pipelines, scripts and locks of a queue stay in one slot. It is returned as `Redis`
 *   because the queue only uses that shared command surface.
 */
export function createTopologyClient(config: QueueConfig['redis'], options: RedisOptions): Redis {
  if (config.clusterNodes) return createClusterClient(config.clusterNodes, options);
  if (config.sentinels) {
    return new Redis({
      ...options,
      sentinels: config.sentinels,
      name: config.sentinelName,
      sentinelPassword: config.sentinelPassword,
      role: 'master',
      failoverDetector: true,
      sentinelRetryStrategy: (times) => Math.min(50 * times, 1000),
      reconnectOnError: (error) => (/READONLY/.test(error.message) ? 1 : false),
      // TLS as for a plain connection: the nodes the sentinels name, and the sentinels themselves.
      ...(options.tls ? { enableTLSForSentinelMode: true, sentinelTLS: options.tls } : {}),
    });
  }
  return new Redis(options);
}

function createClusterClient(nodes: ReadonlyArray<{ host: string; port: number }>, options: RedisOptions): Redis {
  // Options of the cluster as a whole; the rest applies to each node's connection. A cluster has database 0 only.
  const { host: _host, port: _port, db: _db, lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy, ...nodeOptions } = options;
  const clusterOptions: ClusterOptions = {
    lazyConnect,
    enableOfflineQueue,
    enableAutoPipelining,
    clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) ?? null : undefined,
    redisOptions: nodeOptions,
    // Reads go to the masters: the queue's reads decide claims and must see the latest writes.
    scaleReads: 'master',
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
  };
  return new Cluster(nodes.map((n) => ({ host: n.host, port: n.port })), clusterOptions) as unknown as Redis;
}
