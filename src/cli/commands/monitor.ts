import type { Command } from 'commander';
import type { QueueManager } from '../../manager/queue-manager';
import { reportError } from '../cli-errors';
import { integerOption } from '../option-parsers';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { fetchMonitorSnapshot } from '../monitor/snapshot';
import { TerminalScreen } from '../monitor/terminal-screen';
import { terminalWidth, type Output } from '../output';
import { computeRates, renderMonitorFrame, type MonitorSnapshot } from '../render/monitor-frame';

interface MonitorOptions extends OutputOptions {
  once?: boolean;
  interval: number;
}

export function registerMonitorCommand(program: Command, session: CliSession): void {
  const command = program
    .command('monitor')
    .description('live view: backlog per band, throughput, failures, oldest ready job, DLQ, workers (q or Ctrl-C quits)')
    .option('--once', 'print one frame and exit (for scripts and tests)')
    .option('--interval <ms>', 'refresh interval', integerOption(100, 3_600_000), 1000);
  withJsonOption(command).action(async (options: MonitorOptions) => {
    const manager = await session.manager();
    const output = outputFor(options);
    if (options.once) {
      const snapshot = await fetchMonitorSnapshot(manager);
      const rates = computeRates(snapshot, undefined);
      await (output.json ? output.data({ ...snapshot, rates }) : output.text(renderMonitorFrame(output.colors, snapshot, rates, { width: output.width, showQuitHint: false })));
      return;
    }
    await runLive(manager, output, options.interval);
  });
}

/** Refreshes until q, Ctrl-C or SIGTERM; the terminal is restored before the command returns. */
async function runLive(manager: QueueManager, output: Output, intervalMs: number): Promise<void> {
  const screen = new TerminalScreen(process.stdout, process.stdin);
  let quit: () => void = () => undefined;
  const quitRequested = new Promise<void>((resolve) => (quit = resolve));
  let quitting = false;
  const requestQuit = () => {
    quitting = true;
    quit();
  };
  process.on('SIGINT', requestQuit);
  process.on('SIGTERM', requestQuit);
  screen.enter(requestQuit);
  try {
    let previous: MonitorSnapshot | undefined;
    while (!quitting) {
      try {
        const snapshot = await fetchMonitorSnapshot(manager);
        const rates = computeRates(snapshot, previous);
        previous = snapshot;
        if (output.json) await output.text(JSON.stringify({ ...snapshot, rates }));
        else screen.draw(renderMonitorFrame(output.colors, snapshot, rates, { width: terminalWidth(process.stdout), showQuitHint: screen.interactive }));
      } catch (error) {
        // A failed sample (MongoDB blip) is shown and retried on the next tick, not fatal.
        const line = reportError(error).line;
        if (output.json) process.stderr.write(`${line}\n`);
        else screen.draw(`${line} (retrying)`);
      }
      await Promise.race([quitRequested, delay(intervalMs)]);
    }
  } finally {
    screen.leave();
    process.off('SIGINT', requestQuit);
    process.off('SIGTERM', requestQuit);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
