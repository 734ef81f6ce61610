/**
 * `pnpm test` (type-check, then the whole jest suite with its closing count line), and the
 * selections the product's documents name:
 *   pnpm test:queue                       the queue system: manager, worker, DLQ, job handlers,
 *                                         named queues, HTTP, CLI and dashboard surfaces
 *   pnpm test:integration                 suites that run other processes (workers, the CLI, a
 *                                         killed worker) or kill and restart the servers, the
 *                                         MongoDB wire conformance suites, and the Redis
 *                                         topologies (Sentinel failover, Cluster, Redis 6.2 fallback)
 *   pnpm run test -- --grep "dlq"         tests whose name matches (jest's --testNamePattern,
 *                                         case-insensitive); other arguments go to jest unchanged
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

export const SUITES: Record<string, readonly string[]> = {
  queue: ['test/core/', 'test/worker/', 'test/jobs/', 'test/queues/', 'test/http/', 'test/cli/', 'test/dashboard/'],
  integration: [
    'test/core/crash-recovery.test.ts',
    'test/core/graceful-shutdown.test.ts',
    'test/core/redis-loss.test.ts',
    'test/http/worker-process.test.ts',
    'test/http/health.test.ts',
    'test/cli/',
    'test/queues/engine-conformance.test.ts',
    'test/queues/engine-named-queues.test.ts',
    'embedded-mongo/test/server/',
    'test/conformance/',
    'test/topology/',
  ],
};

/** Turns the launcher's arguments into jest's: --grep → --testNamePattern, --suite → path patterns. */
export function jestArguments(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--') continue; // pnpm run test -- ... passes the separator through
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--grep' || flag === '--suite') {
      const value = inline ?? argv[(i += 1)];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      if (flag === '--grep') args.push('--testNamePattern', value);
      else {
        const paths = SUITES[value];
        if (!paths) throw new Error(`unknown suite "${value}": one of ${Object.keys(SUITES).join(', ')}`);
        args.push(...paths.map((path) => escapeRegExp(path)));
      }
    } else {
      args.push(arg);
    }
  }
  return args;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function run(command: string, args: readonly string[]): number {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (require.main === module) {
  let args: string[];
  try {
    args = jestArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);
  const typecheck = run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  if (typecheck !== 0) process.exit(typecheck);
  process.exit(run(bin('jest'), args));
}
