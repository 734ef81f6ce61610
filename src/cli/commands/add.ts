import type { Command } from 'commander';
import { parseJsonArgument } from '../cli-errors';
import { integerOption } from '../option-parsers';
import type { CliSession } from '../cli-session';
import { actorFor, outputFor, withActorOption, withJsonOption, type ActorOptions, type OutputOptions } from '../command-kit';
import { formatDate } from '../render/format';
import { renderFields } from '../render/table';

interface AddOptions extends OutputOptions, ActorOptions {
  priority?: number;
  delay?: number;
  jobId?: string;
}

export function registerAddCommand(program: Command, session: CliSession): void {
  const command = program
    .command('add')
    .description('add a job (its data is checked against the job type\'s schema)')
    .argument('<type>', 'registered job type, e.g. email_send')
    .argument('<json-data>', 'the job data as JSON, e.g. \'{"to":"a@example.com"}\'')
    .option('--priority <n>', 'priority (1-20 by default; the band follows from it)', integerOption(Number.MIN_SAFE_INTEGER))
    .option('--delay <ms>', 'milliseconds before the job may run', integerOption(0))
    .option('--job-id <id>', 'caller-chosen id: adding the same id again returns the existing job');
  withActorOption(withJsonOption(command)).action(async (type: string, jsonData: string, options: AddOptions) => {
    const data = parseJsonArgument('<json-data>', jsonData);
    const manager = await session.manager();
    const result = await manager.addJob({ type, data, priority: options.priority, delay: options.delay, jobId: options.jobId }, actorFor(options, session));
    const output = outputFor(options);
    if (output.json) return output.data(result);
    const { colors } = output;
    await output.text(
      renderFields(colors, [
        ['jobId', colors.bold(result.jobId)],
        ['status', result.deduplicated ? `${result.status} ${colors.yellow('(already existed: nothing added)')}` : result.status],
        ['priority', `${result.priority} (${result.band})`],
        ['run at', formatDate(result.runAt)],
      ]),
    );
  });
}
