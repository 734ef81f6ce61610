import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { testMongoUri } from '../support/mongo';
import type { QueueHarness } from '../support/queue-harness';

/** Helpers to run `src/cli/main.ts` as a child process, the way `pnpm queue` does. */

export const REPO_ROOT = resolve(__dirname, '../..');
export const CLI_COMMAND = [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), join(REPO_ROOT, 'src/cli/main.ts')];
/** A module that registers `test_job` in the CLI process (what an application does for its own types). */
export const TEST_JOB_MODULE = join(__dirname, 'fixtures/test-job-types.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The variables the worker reads, pointing at the harness's own MongoDB database, Redis and namespace. */
export function cliEnv(harness: QueueHarness, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MONGO_URI: testMongoUri(),
    MONGO_DB_NAME: harness.dbName,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(harness.redis.port),
    QUEUE_REDIS_DB: '0',
    QUEUE_NAMESPACE: harness.namespace,
    QUEUE_NAME: 'test',
    ...extra,
  };
}

/** Runs the CLI to completion; killed (and the test failed) past the deadline. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...CLI_COMMAND, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`queue ${args.join(' ')} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Runs a `--json` command that must succeed and parses its stdout. */
export async function runCliJson<T>(args: readonly string[], env: NodeJS.ProcessEnv): Promise<T> {
  const result = await runCli([...args, '--json'], env);
  if (result.code !== 0) throw new Error(`queue ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`queue ${args.join(' ')} printed no JSON: ${result.stdout.slice(0, 500)}`);
  }
}

/** Runs tasks at most `limit` at a time: each CLI start costs about a second of CPU. */
export async function inParallel<T extends readonly unknown[]>(tasks: { readonly [K in keyof T]: () => Promise<T[K]> }, limit = 3): Promise<T> {
  const thunks = tasks as ReadonlyArray<() => Promise<unknown>>;
  const results: unknown[] = new Array<unknown>(thunks.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, thunks.length) }, async () => {
    while (next < thunks.length) {
      const index = next++;
      results[index] = await thunks[index]();
    }
  });
  await Promise.all(lanes);
  return results as unknown as T;
}
