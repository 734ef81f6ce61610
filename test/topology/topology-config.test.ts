import { loadConfig } from '../../src/config/environment';
import { resolveQueueConfig } from '../../src/config/queue-config';
import { redisTopologyKind } from '../../src/cache/redis-topology';

describe('Redis topology configuration', () => {
  const base = { MONGO_URI: 'mongodb://h/x' };

  it('reads sentinels, the primary name and both passwords from the environment', () => {
    const { redis } = loadConfig({ ...base, REDIS_SENTINELS: 's1:26379,10.0.0.2:26380', REDIS_SENTINEL_NAME: 'jobs', REDIS_SENTINEL_PASSWORD: 'sentinel-secret', REDIS_PASSWORD: 'node-secret' }).queue;
    expect(redis).toMatchObject({
      sentinels: [{ host: 's1', port: 26379 }, { host: '10.0.0.2', port: 26380 }],
      sentinelName: 'jobs',
      sentinelPassword: 'sentinel-secret',
      password: 'node-secret',
    });
    expect(redisTopologyKind(redis)).toBe('sentinel');
    expect(loadConfig({ ...base, REDIS_SENTINELS: 's1:26379' }).queue.redis.sentinelName).toBe('mymaster');
  });

  it('reads cluster seed nodes', () => {
    const { redis } = loadConfig({ ...base, REDIS_CLUSTER_NODES: 'c1:7000,c2:7001' }).queue;
    expect(redis.clusterNodes).toEqual([{ host: 'c1', port: 7000 }, { host: 'c2', port: 7001 }]);
    expect(redisTopologyKind(redis)).toBe('cluster');
    expect(redisTopologyKind(loadConfig(base).queue.redis)).toBe('standalone');
  });

  it('refuses a malformed list, naming the variable', () => {
    expect(() => loadConfig({ ...base, REDIS_SENTINELS: 's1' })).toThrow(/REDIS_SENTINELS="s1": host:port pairs separated by commas/);
    expect(() => loadConfig({ ...base, REDIS_CLUSTER_NODES: 'c1:7000, c2:7001' })).toThrow(/REDIS_CLUSTER_NODES/);
  });

  it('refuses sentinels and cluster nodes together', () => {
    expect(() =>
      resolveQueueConfig({ mongodb: { connectionString: 'mongodb://h/x' }, redis: { sentinels: [{ host: 'a', port: 1 }], clusterNodes: [{ host: 'b', port: 2 }] } }, {}),
    ).toThrow(/redis\.clusterNodes: sentinels and clusterNodes are both given/);
  });
});
