import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueError } from '../errors';

export class RedisServerUnavailableError extends QueueError {
  constructor(detail: string) {
    super(
      'REDIS_SERVER_UNAVAILABLE',
      `Cannot start a local redis-server (${detail}). Install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) or set REDIS_URL / REDIS_HOST to a running Redis.`,
    );
  }
}

/** How a private server differs from a plain one. */
export interface LocalRedisOptions {
  /**
   * Lines of a config file the server starts from (e.g. `rename-command ZMPOP ""`, `replicaof ...`,
   * `cluster-enabled yes`, or a sentinel's `sentinel monitor ...`). The file lives in the server's
   * own directory, which also holds what the server writes (cluster nodes file, rewritten config).
   */
  config?: readonly string[];
  /** Start in sentinel mode (redis-server --sentinel). */
  sentinel?: boolean;
  /** Command-line options after the defaults (a later option wins): TLS ports, ACL users, ... */
  args?: readonly string[];
}

/**
 * A private redis-server on a free loopback port, for tests and the demo. Tests kill and
 * restart it to prove the queue survives losing Redis; it keeps nothing on disk.
 */
export class LocalRedisServer {
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  port = 0;

  constructor(private readonly options: LocalRedisOptions = {}) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The server's process id while it runs (the benchmark reads its CPU time). */
  get pid(): number | undefined {
    return this.isRunning ? this.child?.pid : undefined;
  }

  get isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts on `port` (default: a free one) and resolves once it accepts connections. */
  async start(port?: number): Promise<void> {
    const binary = this.options.sentinel ? (process.env.REDIS_SENTINEL_BIN ?? 'redis-sentinel') : (process.env.REDIS_SERVER_BIN ?? 'redis-server');
    const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) throw new RedisServerUnavailableError(`"${binary}" not found on PATH${this.options.sentinel ? '; Debian/Ubuntu: apt-get install -y redis-sentinel' : ''}`);
    this.port = port ?? this.port ?? 0;
    if (this.port === 0) this.port = await freePort();
    this.dir ??= mkdtempSync(join(tmpdir(), 'queue-redis-'));
    const configFile = join(this.dir, 'redis.conf');
    // Written once: a sentinel rewrites its file as it learns the topology, and a restart resumes from there.
    if (!existsSync(configFile)) writeFileSync(configFile, `${(this.options.config ?? []).join('\n')}\n`);
    const persistence = this.options.sentinel ? ['--sentinel'] : ['--save', '', '--appendonly', 'no'];
    const child = spawn(
      binary,
      [configFile, ...persistence, '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--protected-mode', 'no', '--loglevel', 'warning', ...(this.options.args ?? [])],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitForPort(this.port, 10_000, () => (child.exitCode !== null ? `redis-server exited: ${stderr.trim()}` : undefined));
  }

  /** SIGKILL, as a crash would; resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** Starts again on the same port (empty: it keeps nothing). */
  async restart(): Promise<void> {
    await this.terminate('SIGKILL');
    await this.start(this.port);
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problem = failed();
    if (problem) throw new RedisServerUnavailableError(problem);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new RedisServerUnavailableError(`no answer on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}
