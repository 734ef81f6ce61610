import { spawnSync } from 'node:child_process';
import Redis from 'ioredis';
import { LocalRedisServer } from '../../src/devservers/redis';
import type { RedisTopology } from './queue-harness';
import { waitFor } from './wait-for';

/** `INFO <section>` of a server as field → value. */
async function info(port: number, section: string): Promise<Record<string, string>> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    const text = await client.info(section);
    return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
  } finally {
    client.disconnect();
  }
}

/** Runs one command on a server and disconnects. */
export async function redisCommand(port: number, command: string, ...args: Array<string | number>): Promise<unknown> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/**
 * A Sentinel-managed Redis on loopback: a primary, a replica and three sentinels (quorum 2), with
 * short timeouts so a failover takes a second or two. Its servers are the product's LocalRedisServer.
 */
export class SentinelTopology implements RedisTopology {
  readonly name = 'queue-primary';
  readonly servers: LocalRedisServer[] = [];
  readonly sentinels: LocalRedisServer[] = [];

  async start(): Promise<void> {
    // No diskless-sync delay (5 s by default): a replica, or a demoted primary, syncs at once.
    const sync = ['repl-diskless-sync-delay 0'];
    const primary = new LocalRedisServer({ config: sync });
    await primary.start();
    const replica = new LocalRedisServer({ config: [...sync, `replicaof 127.0.0.1 ${primary.port}`] });
    await replica.start();
    this.servers.push(primary, replica);
    await waitFor(async () => (await info(replica.port, 'replication')).master_link_status === 'up', 'the replica to sync');
    const config = [
      `sentinel monitor ${this.name} 127.0.0.1 ${primary.port} 2`,
      `sentinel down-after-milliseconds ${this.name} 1000`,
      `sentinel failover-timeout ${this.name} 5000`,
      `sentinel parallel-syncs ${this.name} 1`,
    ];
    this.sentinels.push(...[0, 1, 2].map(() => new LocalRedisServer({ config, sentinel: true })));
    await Promise.all(this.sentinels.map((s) => s.start()));
    // Each sentinel has found the replica (from the primary's INFO) and reached it: a forced failover has a candidate.
    for (const sentinel of this.sentinels) {
      await waitFor(async () => {
        const replicas = (await redisCommand(sentinel.port, 'SENTINEL', 'REPLICAS', this.name)) as string[][];
        return replicas.some((fields) => {
          const entry = new Map(fields.flatMap((v, i) => (i % 2 === 0 ? [[v, fields[i + 1]] as const] : [])));
          return entry.get('flags') === 'slave' && entry.get('master-link-status') === 'ok';
        });
      }, 'the sentinels to reach the replica');
    }
  }

  redisConfig() {
    return { sentinels: this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })), sentinelName: this.name, db: 0 };
  }

  /** The port the sentinels currently name as the primary. */
  async primaryPort(): Promise<number> {
    const [, port] = (await redisCommand(this.sentinels[0].port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [string, string];
    return Number(port);
  }

  /** SENTINEL FAILOVER: promotes the replica without waiting for the primary to fail. */
  async failover(): Promise<void> {
    await redisCommand(this.sentinels[0].port, 'SENTINEL', 'FAILOVER', this.name);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.servers].map((s) => s.stop()));
  }
}

/**
 * A three-master Redis Cluster on loopback (no replicas), made by `redis-cli --cluster create`
 * from three LocalRedisServers started with cluster-enabled.
 */
export class ClusterTopology implements RedisTopology {
  readonly nodes = [0, 1, 2].map(() => new LocalRedisServer({ config: ['cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 2000'] }));

  async start(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.start()));
    const addresses = this.nodes.map((node) => `127.0.0.1:${node.port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: 30_000 });
    if (created.error || created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.error?.message ?? created.stdout + created.stderr}`);
    await this.untilOk();
  }

  /** Resolves once every node reports cluster_state:ok (all slots served). */
  async untilOk(): Promise<void> {
    for (const node of this.nodes) {
      await waitFor(async () => /cluster_state:ok/.test(String(await redisCommand(node.port, 'CLUSTER', 'INFO'))), 'the cluster to be ok on every node');
    }
  }

  redisConfig() {
    return { clusterNodes: this.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })), db: 0 };
  }

  /** The node port that serves `key`'s slot. */
  async nodeOf(key: string): Promise<number> {
    const slot = Number(await redisCommand(this.nodes[0].port, 'CLUSTER', 'KEYSLOT', key));
    const ranges = (await redisCommand(this.nodes[0].port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no node serves slot ${slot}`);
    return Number(range[2][1]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}
