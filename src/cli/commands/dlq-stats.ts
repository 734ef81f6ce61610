import type { Command } from 'commander';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { getDlqStats } from '../queries';
import { renderDlqStats } from '../render/dlq-view';

export function registerDlqStatsCommand(dlq: Command, session: CliSession): void {
  withJsonOption(dlq.command('stats').description('dead-letter counts by severity, failure reason and job type')).action(async (options: OutputOptions) => {
    const manager = await session.manager();
    const stats = await getDlqStats(manager);
    const output = outputFor(options);
    await (output.json ? output.data(stats) : output.text(renderDlqStats(output.colors, stats)));
  });
}
