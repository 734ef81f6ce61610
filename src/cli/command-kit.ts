import type { Command } from 'commander';
import { resolveActor } from './actor';
import type { CliSession } from './cli-session';
import { createOutput, type Output } from './output';

/** Options every command takes. */
export interface OutputOptions {
  json?: boolean;
}

/** Options of commands that write an audit entry. */
export interface ActorOptions {
  as?: string;
}

export function withJsonOption(command: Command): Command {
  return command.option('--json', 'print plain JSON on stdout (for scripts)');
}

export function withActorOption(command: Command): Command {
  return command.option('--as <name>', 'who the audit trail records (default: $QUEUE_ADMIN, else the OS user)');
}

export function outputFor(options: OutputOptions): Output {
  return createOutput(options.json === true);
}

export function actorFor(options: ActorOptions, session: CliSession): string {
  return resolveActor(options.as, session.env);
}
