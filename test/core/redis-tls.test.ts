import { createQueueManager } from '../../src/composition/create-queue-manager';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { createRedisClient } from '../../src/cache/redis-connection';
import { loadConfig, type Env } from '../../src/config/environment';
import { freePort, LocalRedisServer } from '../../src/devservers/redis';
import { ConfigError } from '../../src/errors';
import { testLogger, testJobDefinition } from '../support/queue-harness';
import { testMongoUri, uniqueDbName } from '../support/mongo';
import { waitFor } from '../support/wait-for';

/** A CA made for this test, a server certificate for the name `redis.test` only, and a client certificate. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', string> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=queue test CA');
  writeFileSync(file('server.ext'), 'subjectAltName=DNS:redis.test\n');
  openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=redis.test');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  openssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=queue-client');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2');
  return { ca: file('ca.crt'), serverCert: file('server.crt'), serverKey: file('server.key'), clientCert: file('client.crt'), clientKey: file('client.key') };
}

/**
 * Connects with the queue's own client; resolves once ready or with the error that kept it from
 * being so. (On a connection already closed, ioredis's disconnect still arms its
 * disconnectTimeout, 2 s by default: kept short so none outlives the test file.)
 */
async function tryConnect(env: Env): Promise<{ client?: Redis; error?: Error }> {
  const client = createRedisClient(loadConfig({ MONGO_URI: testMongoUri(), ...env }).queue.redis, testLogger(), 'tls-test', { retryStrategy: () => null, disconnectTimeout: 50 });
  // connect() rejects with "Connection is closed."; the cause (TLS, auth) is the first error event.
  let first: Error | undefined;
  client.on('error', (error: Error) => (first ??= error));
  try {
    await client.connect();
    return { client };
  } catch (error) {
    client.disconnect();
    return { error: first ?? (error as Error) };
  }
}

describe('Redis over TLS with an ACL user', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const certs = makeCertificates(dir);
  let tlsPort = 0;
  let redis: LocalRedisServer;
  const clients: Redis[] = [];
  const connect = async (env: Env): Promise<Redis> => {
    const { client, error } = await tryConnect(env);
    if (!client) throw error;
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    tlsPort = await freePort();
    redis = new LocalRedisServer({
      args: [
        '--tls-port', String(tlsPort),
        '--tls-cert-file', certs.serverCert,
        '--tls-key-file', certs.serverKey,
        '--tls-ca-cert-file', certs.ca,
        '--tls-auth-clients', 'optional',
        '--user', 'queue', 'on', '>queue-secret-0123', '~*', '&*', '+@all',
      ],
    });
    await redis.start();
  });
  afterAll(async () => {
    clients.forEach((c) => c.disconnect());
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsUrl = (path = '/3') => `rediss://queue:queue-secret-0123@127.0.0.1:${tlsPort}${path}`;

  it('verifies the server: the system CAs do not know a self-signed CA, and the certificate name must match', async () => {
    const untrusted = await tryConnect({ REDIS_URL: tlsUrl(), REDIS_TLS_SERVERNAME: 'redis.test' });
    expect(untrusted.error?.message).toMatch(/self[- ]signed|unable to (get|verify)/i);
    const wrongName = await tryConnect({ REDIS_URL: tlsUrl(), REDIS_TLS_CA_FILE: certs.ca });
    expect(wrongName.error?.message).toMatch(/altnames|does not match|Hostname\/IP/i);
  });

  it('refuses a wrong ACL password, and never speaks plain TCP to the TLS port when asked for TLS', async () => {
    const wrong = await tryConnect({ REDIS_URL: `rediss://queue:wrong-password@127.0.0.1:${tlsPort}`, REDIS_TLS_CA_FILE: certs.ca, REDIS_TLS_SERVERNAME: 'redis.test' });
    expect(wrong.error?.message).toMatch(/WRONGPASS/);
    // The ACL user over the plain port works too: the ACL does not depend on TLS.
    const plain = await connect({ REDIS_URL: `redis://queue:queue-secret-0123@127.0.0.1:${redis.port}/2` });
    expect(await plain.call('ACL', 'WHOAMI')).toBe('queue');
  });

  it('connects with rediss://, the CA file and servername, as the ACL user, to the database in the path', async () => {
    const client = await connect({ REDIS_URL: tlsUrl(), REDIS_TLS_CA_FILE: certs.ca, REDIS_TLS_SERVERNAME: 'redis.test' });
    expect(await client.call('ACL', 'WHOAMI')).toBe('queue');
    expect(String(await client.call('CLIENT', 'INFO'))).toMatch(/ db=3 /);
  });

  it('takes the same from variables, and a client certificate from files', async () => {
    const client = await connect({
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(tlsPort),
      REDIS_TLS: 'true',
      REDIS_USERNAME: 'queue',
      REDIS_PASSWORD: 'queue-secret-0123',
      REDIS_TLS_CA_FILE: certs.ca,
      REDIS_TLS_CERT_FILE: certs.clientCert,
      REDIS_TLS_KEY_FILE: certs.clientKey,
      REDIS_TLS_SERVERNAME: 'redis.test',
      QUEUE_REDIS_DB: '5',
    });
    expect(await client.call('ACL', 'WHOAMI')).toBe('queue');
    expect(String(await client.call('CLIENT', 'INFO'))).toMatch(/ db=5 /);
  });

  it('lets the QUEUE_REDIS_* connection use TLS and its own user while REDIS_* names a plain one', async () => {
    const client = await connect({
      REDIS_URL: `redis://127.0.0.1:${redis.port}/0`,
      QUEUE_REDIS_URL: tlsUrl('/4'),
      QUEUE_REDIS_TLS_CA_FILE: certs.ca,
      QUEUE_REDIS_TLS_SERVERNAME: 'redis.test',
    });
    expect(await client.call('ACL', 'WHOAMI')).toBe('queue');
    expect(String(await client.call('CLIENT', 'INFO'))).toMatch(/ db=4 /);
  });

  it('runs a queue manager over TLS as the ACL user (health reports Redis connected)', async () => {
    const config = loadConfig({ MONGO_URI: testMongoUri(), MONGO_DB_NAME: uniqueDbName('redis_tls'), REDIS_URL: tlsUrl('/6'), REDIS_TLS_CA_FILE: certs.ca, REDIS_TLS_SERVERNAME: 'redis.test' }).queue;
    const manager = createQueueManager(config, testLogger());
    manager.registerJob(testJobDefinition([]));
    await manager.start();
    try {
      const { jobId } = await manager.addJob({ type: 'test_job', data: {} });
      const health = await waitFor(async () => {
        const h = await manager.checkHealth();
        return h.redis.status === 'connected' ? h : null;
      }, 'Redis over TLS to be connected');
      expect(health.redis).toMatchObject({ status: 'connected', database: 6 });
      expect(jobId).toBeTruthy();
    } finally {
      await manager.close();
    }
  });

  it('names the setting and the file when a TLS file cannot be read, and refuses rediss:// with TLS turned off', () => {
    const missing = join(dir, 'absent-ca.pem');
    expect(() => createRedisClient(loadConfig({ MONGO_URI: testMongoUri(), REDIS_URL: tlsUrl(), REDIS_TLS_CA_FILE: missing }).queue.redis, testLogger(), 'x')).toThrow(
      new ConfigError(`redis.tls.caFile: cannot read ${missing} (ENOENT): give the path of a readable PEM file`, []),
    );
    expect(() => loadConfig({ MONGO_URI: testMongoUri(), REDIS_URL: tlsUrl(), REDIS_TLS: 'false' })).toThrow(/rediss:\/\/ \(TLS\) but REDIS_TLS=false/);
    expect(() => loadConfig({ MONGO_URI: testMongoUri(), REDIS_URL: 'redis://127.0.0.1/16' })).toThrow(/REDIS_URL: the path "\/16" must be a database number/);
  });
});
