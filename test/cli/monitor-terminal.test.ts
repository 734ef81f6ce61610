import { spawn, spawnSync } from 'node:child_process';
import type { QueueManager } from '../../src/manager/queue-manager';
import { QueueHarness } from '../support/queue-harness';
import { waitFor } from '../support/wait-for';
import { CLI_COMMAND, cliEnv, REPO_ROOT } from './cli-process';

const SHOW_CURSOR = '\x1b[?25h';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** `queue monitor` under a pseudo-terminal (util-linux `script`): refreshes, then quits on a key. */
(hasScript ? describe : describe.skip)('queue monitor in a terminal', () => {
  const harness = new QueueHarness('cli_monitor');
  let manager: QueueManager;

  beforeAll(async () => {
    await harness.start();
    manager = await harness.manager();
    await manager.addJob({ type: 'test_job', data: { label: 'waiting' }, priority: 17 });
  });
  afterAll(() => harness.stop());

  async function monitorUntilKey(key: string): Promise<{ code: number | null; screen: string }> {
    const command = [process.execPath, ...CLI_COMMAND, 'monitor', '--interval', '200'].map((part) => `'${part}'`).join(' ');
    const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
      cwd: REPO_ROOT,
      env: cliEnv(harness, { TERM: 'xterm' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      // Two frames prove the refresh; the second one has a throughput figure.
      await waitFor(() => (screen.match(/Backlog/g) ?? []).length >= 2 && /Throughput +\d/.test(stripAnsi(screen)), 'two monitor frames', 20_000);
      child.stdin.write(key);
      const code = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`monitor did not exit; screen: ${screen}`)), 10_000).unref())]);
      return { code, screen };
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      child.stdin.destroy();
    }
  }

  it('redraws every interval and exits 0 on q with the terminal restored', async () => {
    const { code, screen } = await monitorUntilKey('q');
    expect(code).toBe(0);
    expect(stripAnsi(screen)).toMatch(/^CRITICAL\s+█/m);
    expect(stripAnsi(screen)).toContain('(q to quit)');
    // A terminal gets colours.
    expect(screen).toMatch(/\x1b\[3\dm█/);
    // The cursor comes back and the alternate screen is left after the last frame.
    const lastFrame = screen.lastIndexOf('Backlog');
    expect(screen.indexOf(SHOW_CURSOR, lastFrame)).toBeGreaterThan(lastFrame);
    expect(screen.indexOf(LEAVE_ALTERNATE_SCREEN, lastFrame)).toBeGreaterThan(lastFrame);
  });

  it('exits 0 on Ctrl-C as well', async () => {
    const { code, screen } = await monitorUntilKey('\u0003');
    expect(code).toBe(0);
    expect(screen.slice(screen.lastIndexOf('Backlog'))).toContain(LEAVE_ALTERNATE_SCREEN);
  });
});
