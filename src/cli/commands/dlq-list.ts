import type { Command } from 'commander';
import { DlqSeverity } from '../../domain/dlq-record';
import { CliUsageError } from '../cli-errors';
import { choiceOption, integerOption } from '../option-parsers';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { listDlqEntries } from '../queries';
import { renderDlqList } from '../render/dlq-view';

const SEVERITIES = Object.values(DlqSeverity);

interface DlqListOptions extends OutputOptions {
  severity?: DlqSeverity;
  type?: string;
  jobId?: string;
  reviewed?: boolean;
  unreviewed?: boolean;
  limit: number;
}

export function registerDlqListCommand(dlq: Command, session: CliSession): void {
  const command = dlq
    .command('list')
    .description('dead-letter entries, most recently moved first')
    .option('--severity <severity>', `only this severity (${SEVERITIES.join(', ')})`, choiceOption(SEVERITIES))
    .option('--type <type>', 'only entries of this job type')
    .option('--job-id <jobId>', 'every entry of this jobId (a reused jobId has one per failure)')
    .option('--reviewed', 'only entries an admin has reviewed')
    .option('--unreviewed', 'only entries nobody has reviewed yet')
    .option('--limit <n>', 'at most this many entries (1-1000)', integerOption(1, 1000), 20);
  withJsonOption(command).action(async (options: DlqListOptions) => {
    if (options.reviewed && options.unreviewed) throw new CliUsageError('--reviewed and --unreviewed exclude each other: give at most one');
    const reviewed = options.reviewed ? true : options.unreviewed ? false : undefined;
    const manager = await session.manager();
    const entries = await listDlqEntries(manager, { jobId: options.jobId, severity: options.severity, type: options.type, reviewed, limit: options.limit });
    const output = outputFor(options);
    await (output.json ? output.data(entries) : output.text(renderDlqList(output.colors, entries)));
  });
}
