import type { Command } from 'commander';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { renderQueueStats } from '../render/stats-view';

export function registerStatsCommand(program: Command, session: CliSession): void {
  withJsonOption(program.command('stats').description('job counts by status and band, oldest ready job per band, Redis batches')).action(
    async (options: OutputOptions) => {
      const manager = await session.manager();
      const stats = await manager.getQueueStats();
      const output = outputFor(options);
      await (output.json ? output.data(stats) : output.text(renderQueueStats(output.colors, stats)));
    },
  );
}
