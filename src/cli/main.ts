/**
 * `pnpm queue <command>`: the admin CLI. Prints one line to stderr on failure and exits
 * 1 (the command failed) or 2 (it was called wrongly); connections are closed either way.
 */
import { CommanderError } from 'commander';
import { CliSession } from './cli-session';
import { ExitCode, reportError } from './cli-errors';
import { buildProgram } from './program';

/** Help and --version end in a CommanderError too; only those count as success. */
const COMMANDER_SUCCESS_CODES = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const session = new CliSession(env);
  try {
    await buildProgram(session).parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its own message already.
      return COMMANDER_SUCCESS_CODES.has(error.code) && error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const report = reportError(error, env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace');
    process.stderr.write(`${report.line}\n`);
    return report.exitCode;
  } finally {
    await session.close().catch((error: unknown) => process.stderr.write(`${reportError(error).line} (while closing connections)\n`));
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), process.env).then((code) => process.exit(code));
}
