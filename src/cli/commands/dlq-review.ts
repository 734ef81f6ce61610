import type { Command } from 'commander';
import type { CliSession } from '../cli-session';
import { actorFor, outputFor, withActorOption, withJsonOption, type ActorOptions, type OutputOptions } from '../command-kit';
import { getDlqEntry } from '../queries';
import { formatDate } from '../render/format';
import { renderFields } from '../render/table';

interface ReviewOptions extends OutputOptions, ActorOptions {
  note?: string;
}

export function registerDlqReviewCommand(dlq: Command, session: CliSession): void {
  const command = dlq
    .command('review')
    .description('mark a dead-letter entry as reviewed (recorded with your name)')
    .argument('<id>', 'the entry id, or the jobId of the dead job')
    .option('--note <text>', 'what you found or decided');
  withActorOption(withJsonOption(command)).action(async (id: string, options: ReviewOptions) => {
    const admin = actorFor(options, session);
    const manager = await session.manager();
    const entry = await getDlqEntry(manager, id);
    const updated = await manager.markDLQAsReviewed(String(entry._id), admin, options.note);
    const output = outputFor(options);
    if (output.json) return output.data(updated);
    await output.text(
      renderFields(output.colors, [
        ['entry', String(updated._id)],
        ['jobId', updated.jobId],
        ['reviewed by', updated.review?.by],
        ['at', formatDate(updated.review?.at)],
        ['note', updated.review?.note ?? '-'],
      ]),
    );
  });
}
