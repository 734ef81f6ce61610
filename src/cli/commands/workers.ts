import type { Command } from 'commander';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { listWorkers } from '../queries';
import { renderWorkers } from '../render/workers-view';

export function registerWorkersCommand(program: Command, session: CliSession): void {
  withJsonOption(program.command('workers').description('live workers (from their heartbeats) and the jobs they are running')).action(
    async (options: OutputOptions) => {
      const manager = await session.manager();
      const workers = await listWorkers(manager);
      const output = outputFor(options);
      await (output.json ? output.data(workers) : output.text(renderWorkers(output.colors, workers)));
    },
  );
}
