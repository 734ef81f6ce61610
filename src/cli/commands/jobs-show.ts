import type { Command } from 'commander';
import type { CliSession } from '../cli-session';
import { outputFor, withJsonOption, type OutputOptions } from '../command-kit';
import { getJob } from '../queries';
import { renderJobDetail } from '../render/job-view';

export function registerJobsShowCommand(jobs: Command, session: CliSession): void {
  const command = jobs.command('show').description('one job with its history (audit trail) and every failed attempt').argument('<jobId>', 'the job\'s id');
  withJsonOption(command).action(async (jobId: string, options: OutputOptions) => {
    const manager = await session.manager();
    const job = await getJob(manager, jobId);
    const output = outputFor(options);
    await (output.json ? output.data(job) : output.text(renderJobDetail(output.colors, job)));
  });
}
