import type { Command } from 'commander';
import { parseJsonObjectArgument } from '../cli-errors';
import type { CliSession } from '../cli-session';
import { actorFor, outputFor, withActorOption, withJsonOption, type ActorOptions, type OutputOptions } from '../command-kit';
import { getDlqEntry } from '../queries';
import { preview } from '../render/format';
import { renderFields } from '../render/table';

interface ReprocessOptions extends OutputOptions, ActorOptions {
  corrections?: string;
}

export function registerDlqReprocessCommand(dlq: Command, session: CliSession): void {
  const command = dlq
    .command('reprocess')
    .description('add a new job from a dead-letter entry, optionally with corrected data')
    .argument('<id>', 'the entry id, or the jobId of the dead job')
    .option('--corrections <json>', 'JSON object merged into the job data, e.g. \'{"email":"fixed@example.com"}\'');
  withActorOption(withJsonOption(command)).action(async (id: string, options: ReprocessOptions) => {
    const requestedAt = new Date();
    const corrections = options.corrections === undefined ? undefined : parseJsonObjectArgument('--corrections', options.corrections);
    const admin = actorFor(options, session);
    const manager = await session.manager();
    // Resolved first so that a jobId works as well as the entry id, as in `dlq show`.
    const entry = await getDlqEntry(manager, id);
    const result = await manager.reprocessDLQEntry(String(entry._id), admin, corrections, { requestedAt });
    const output = outputFor(options);
    if (output.json) return output.data(result);
    await output.text(
      renderFields(output.colors, [
        ['entry', String(result.entry._id)],
        ['new jobId', output.colors.bold(result.newJobId)],
        ['by', admin],
        ['reprocessed', `${result.entry.reprocessCount} time(s)`],
        ['data before', preview(result.dataBefore, 200)],
        ['data after', preview(result.dataAfter, 200)],
      ]),
    );
  });
}
