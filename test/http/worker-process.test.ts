import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { QueueHarness } from '../support/queue-harness';
import { testMongoUri } from '../support/mongo';
import { waitFor } from '../support/wait-for';
import { ALICE_TOKEN } from './http-test-kit';

const ROOT = join(__dirname, '..', '..');

/** A port that something is listening on (free ports are taken from one of these, then released). */
async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('HTTP server of the worker process (pnpm worker:queue)', () => {
  const harness = new QueueHarness('http_process');
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await harness.stop();
  });

  function startWorker(httpPort: number): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/worker/main.ts')], {
      env: {
        ...process.env,
        MONGO_URI: testMongoUri(),
        MONGO_DB_NAME: harness.dbName,
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(harness.redis.port),
        QUEUE_REDIS_DB: '0',
        QUEUE_NAMESPACE: harness.namespace,
        QUEUE_NAME: 'process',
        LOG_LEVEL: 'info',
        HTTP_PORT: String(httpPort),
        HTTP_HOST: '127.0.0.1',
        ADMIN_TOKENS: `alice:${ALICE_TOKEN}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => output, exit };
  }

  it('serves health, metrics and the admin API, and exits 0 on SIGTERM', async () => {
    const probe = await listening();
    await closeServer(probe.server);
    const worker = startWorker(probe.port);
    await waitFor(() => worker.output().includes('http server listening'), 'the HTTP server to listen', 20_000);
    const url = `http://127.0.0.1:${probe.port}`;

    expect((await fetch(`${url}/health/worker`)).status).toBe(200);
    expect((await fetch(`${url}/health/queue`)).status).toBe(200);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toMatch(/^queue_mongodb_up 1$/m);
    expect((await fetch(`${url}/admin/stats`)).status).toBe(401);
    const stats = await fetch(`${url}/admin/stats`, { headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({ queue: { queue: 'process' } });

    worker.child.kill('SIGTERM');
    expect(await worker.exit).toBe(0);
    await expect(fetch(`${url}/health/worker`)).rejects.toThrow();
  }, 40_000);

  it('stops the worker and exits 1 when HTTP_PORT is taken', async () => {
    const taken = await listening();
    try {
      const worker = startWorker(taken.port);
      expect(await worker.exit).toBe(1);
      expect(worker.output()).toMatch(/http server could not listen/);
      expect(worker.output()).toMatch(/worker stopped/);
    } finally {
      await closeServer(taken.server);
    }
  }, 40_000);
});
