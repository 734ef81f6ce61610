import { Command } from 'commander';
import type { CliSession } from './cli-session';
import { registerAddCommand } from './commands/add';
import { registerDlqListCommand } from './commands/dlq-list';
import { registerDlqReprocessCommand } from './commands/dlq-reprocess';
import { registerDlqReviewCommand } from './commands/dlq-review';
import { registerDlqShowCommand } from './commands/dlq-show';
import { registerDlqStatsCommand } from './commands/dlq-stats';
import { registerJobsListCommand } from './commands/jobs-list';
import { registerJobsShowCommand } from './commands/jobs-show';
import { registerMonitorCommand } from './commands/monitor';
import { registerStatsCommand } from './commands/stats';
import { registerWorkersCommand } from './commands/workers';

interface GlobalOptions {
  jobsModule: string[];
}

const ENVIRONMENT_HELP = `
Connection settings come from the same environment variables as the worker:
  MONGO_URI (required), MONGO_DB_NAME, REDIS_URL (rediss:// for TLS) or REDIS_HOST/REDIS_PORT/
  REDIS_USERNAME/REDIS_PASSWORD/REDIS_TLS*, QUEUE_REDIS_*, QUEUE_NAME, QUEUE_NAMESPACE. QUEUE_ADMIN names you in audit entries.
Exit codes: 0 ok, 1 the command failed, 2 it was called wrongly.`;

/** The whole command tree. Errors are thrown, never turned into process.exit here (main decides). */
export function buildProgram(session: CliSession): Command {
  const program = new Command('queue')
    .description('Admin CLI of the job queue: add and inspect jobs, operate the dead-letter queue, watch workers.')
    .option('--jobs-module <path>', 'load a module that registers your own job types (registerDefaultJobs); repeatable', collect, [])
    .addHelpText('after', ENVIRONMENT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    // Subcommands created after this inherit it: usage errors surface as CommanderError for main.
    .exitOverride();
  program.hook('preAction', () => session.useJobModules(program.opts<GlobalOptions>().jobsModule));

  registerAddCommand(program, session);
  registerStatsCommand(program, session);
  const jobs = program.command('jobs').description('list and inspect jobs');
  registerJobsListCommand(jobs, session);
  registerJobsShowCommand(jobs, session);
  const dlq = program.command('dlq').description('the dead-letter queue: list, inspect, review, reprocess');
  registerDlqListCommand(dlq, session);
  registerDlqShowCommand(dlq, session);
  registerDlqStatsCommand(dlq, session);
  registerDlqReprocessCommand(dlq, session);
  registerDlqReviewCommand(dlq, session);
  registerWorkersCommand(program, session);
  registerMonitorCommand(program, session);
  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
