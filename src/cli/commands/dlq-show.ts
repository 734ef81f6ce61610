import type { Command } from 'commander';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { getDlqEntry } from '../queries';
import { renderDlqDetail } from '../render/dlq-view';

export function registerDlqShowCommand(dlq: Command, session: CliSession): void {
  const command = dlq
    .command('show')
    .description('one dead-letter entry: errors, history, review and reprocess records')
    .argument('<id>', 'the entry id, or the jobId of the dead job');
  withJsonOption(command).action(async (id: string, options: OutputOptions) => {
    const manager = await session.manager();
    const entry = await getDlqEntry(manager, id);
    const output = outputFor(options);
    await (output.json ? output.data(entry) : output.text(renderDlqDetail(output.colors, entry)));
  });
}
