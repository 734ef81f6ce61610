import type { Command } from 'commander';
import { ALL_JOB_STATUSES, type JobStatus } from '../../domain/job-status';
import { choiceOption, integerOption } from '../option-parsers';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { listJobs } from '../queries';
import { renderJobList } from '../render/job-view';

interface JobsListOptions extends OutputOptions {
  status?: JobStatus;
  type?: string;
  limit: number;
}

export function registerJobsListCommand(jobs: Command, session: CliSession): void {
  const command = jobs
    .command('list')
    .description('jobs of the queue, newest first')
    .option('--status <status>', `only jobs in this status (${ALL_JOB_STATUSES.join(', ')})`, choiceOption(ALL_JOB_STATUSES))
    .option('--type <type>', 'only jobs of this type')
    .option('--limit <n>', 'at most this many jobs (1-1000)', integerOption(1, 1000), 20);
  withJsonOption(command).action(async (options: JobsListOptions) => {
    const manager = await session.manager();
    const found = await listJobs(manager, { status: options.status, type: options.type, limit: options.limit });
    const output = outputFor(options);
    await (output.json ? output.data(found) : output.text(renderJobList(output.colors, found)));
  });
}
