/**
 * Runs the project's MongoDB (acquireMongo: the embedded server on this machine) in a child
 * process of its own, as a real mongod would be and as each side's redis-server is: the bench's
 * client code and the server then do not share one JavaScript thread.
 *
 * As a child (this file run directly): acquires MongoDB, prints one JSON line {uri, kind} and
 * stays up until its stdin closes or it gets SIGTERM, then stops the server and exits.
 * As a module: `spawnMongoChild()` starts that child and returns a handle like acquireMongo's.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MongoHandle } from './context';

const READY_TIMEOUT_MS = 120_000;

export async function spawnMongoChild(): Promise<MongoHandle> {
  // BENCH_MONGO_NODE_ARGS: extra node flags for the server process (e.g. --cpu-prof when profiling).
  const extra = (process.env.BENCH_MONGO_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', __filename], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
    // The bench measures the embedded server (a real mongod, where one exists, is reached through MONGO_URI).
    env: { ...process.env, BENCH_MONGO_CHILD: '1', QUEUE_EMBEDDED_MONGO: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ uri: string; kind: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`MongoDB child not ready within ${READY_TIMEOUT_MS} ms: ${stderr.trim()}`));
    }, READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as { uri: string; kind: string });
      } catch {
        reject(new Error(`unexpected line from the MongoDB child: ${line}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`MongoDB child exited (${code}): ${stderr.trim()}`));
    });
  });
  return {
    uri: ready.uri,
    kind: `${ready.kind} (child process)`,
    pid: child.pid,
    async stop() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function childMain(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { acquireMongo } = require('../../src/devservers/mongo') as { acquireMongo(options: { logger: unknown }): Promise<MongoHandle> };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { silentLogger } = require('../../src/logging/logger') as typeof import('../../src/logging/logger');
  const mongo = await acquireMongo({ logger: silentLogger() });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await mongo.stop().catch(() => undefined);
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ uri: mongo.uri, kind: mongo.kind })}\n`);
}

if (process.env.BENCH_MONGO_CHILD === '1') {
  childMain().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
