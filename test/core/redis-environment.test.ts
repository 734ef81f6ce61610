import { loadConfig, type Env } from '../../src/config/environment';
import { redisConnectionOptions } from '../../src/cache/redis-options';

const redisOf = (env: Env) => loadConfig({ MONGO_URI: 'mongodb://127.0.0.1:27017/queue', ...env }).queue.redis;

describe('Redis settings from the environment', () => {
  it('keeps every part of a URL: scheme (TLS), ACL user, password, host, port and database', () => {
    expect(redisOf({ REDIS_URL: 'rediss://app%40ops:p%3Ass@cache.example.com:6380/7' })).toMatchObject({
      host: 'cache.example.com',
      port: 6380,
      username: 'app@ops',
      password: 'p:ss',
      db: 7,
      tls: {},
    });
    expect(redisOf({ REDIS_URL: 'redis://:only-password@[::1]:6390' })).toMatchObject({ host: '::1', port: 6390, password: 'only-password', db: 1, tls: undefined });
    expect(redisOf({ REDIS_URL: 'redis://:only-password@[::1]:6390' }).username).toBeUndefined();
  });

  it('lets a family\'s variables win over its URL, and QUEUE_REDIS_* win over REDIS_*', () => {
    expect(redisOf({ REDIS_URL: 'redis://a:b@one:1000/2', REDIS_HOST: 'two', REDIS_PASSWORD: 'c' })).toMatchObject({ host: 'two', port: 1000, username: 'a', password: 'c', db: 2 });
    expect(redisOf({ REDIS_URL: 'rediss://a:b@one:1000/2', QUEUE_REDIS_HOST: 'queue-host', QUEUE_REDIS_DB: '9' })).toMatchObject({ host: 'queue-host', port: 1000, username: 'a', db: 9, tls: {} });
    // The queue's own URL is a whole location: its scheme turns TLS on for the queue alone.
    expect(redisOf({ REDIS_URL: 'redis://one:1000/0', QUEUE_REDIS_URL: 'rediss://q:secret@two:2000/3', QUEUE_REDIS_TLS_SERVERNAME: 'two.internal' })).toMatchObject({
      host: 'two',
      port: 2000,
      username: 'q',
      password: 'secret',
      db: 3,
      tls: { servername: 'two.internal' },
    });
  });

  it('turns TLS on with REDIS_TLS=true or a TLS file, and builds ioredis options from it', () => {
    expect(redisOf({ REDIS_HOST: 'h', REDIS_TLS: 'true' }).tls).toEqual({});
    expect(redisOf({ REDIS_HOST: 'h', REDIS_TLS_SERVERNAME: 'h.example' }).tls).toEqual({ servername: 'h.example' });
    expect(redisOf({ REDIS_HOST: 'h' }).tls).toBeUndefined();
    // TLS with the system CAs: no `ca` given, so Node verifies against its own store.
    expect(redisConnectionOptions(redisOf({ REDIS_URL: 'rediss://u:p@h:1/4' }))).toEqual({ host: 'h', port: 1, username: 'u', password: 'p', db: 4, tls: {} });
    expect(redisConnectionOptions(redisOf({ REDIS_URL: 'redis://h:1' }))).toEqual({ host: 'h', port: 1, password: undefined, db: 1 });
  });

  it('refuses TLS settings with TLS turned off, and a client certificate without its key', () => {
    expect(() => redisOf({ REDIS_HOST: 'h', REDIS_TLS: 'false', REDIS_TLS_CA_FILE: '/ca.pem' })).toThrow(/TLS file or servername is set while TLS is turned off/);
    expect(() => redisOf({ REDIS_HOST: 'h', REDIS_TLS_CERT_FILE: '/client.pem' })).toThrow(/certFile and keyFile together/);
    expect(() => redisOf({ REDIS_URL: 'redis://h/x' })).toThrow(/REDIS_URL: the path "\/x" must be a database number/);
  });
});
