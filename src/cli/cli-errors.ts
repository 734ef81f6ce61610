import { DlqAlreadyReprocessedError, QueueError } from '../errors';

/**
 * Exit codes: 1 when the command ran and failed, 2 when it was called wrongly, 3 when another
 * admin's concurrent change won (DLQ_ALREADY_REPROCESSED): nothing of this call was applied.
 */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, Conflict: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad argument or option value: nothing was sent to MongoDB or Redis. */
export class CliUsageError extends Error {
  readonly code = 'INVALID_ARGUMENT';
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** Parses a JSON argument; the error names the argument so the user knows which one to fix. */
export function parseJsonArgument(argumentName: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`${argumentName} is not valid JSON: ${(error as Error).message}`);
  }
}

export function parseJsonObjectArgument(argumentName: string, text: string): Record<string, unknown> {
  const value = parseJsonArgument(argumentName, text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliUsageError(`${argumentName} must be a JSON object, e.g. '{"key": "value"}'`);
  }
  return value as Record<string, unknown>;
}

export interface ErrorReport {
  line: string;
  exitCode: ExitCode;
}

/** One line for stderr and the exit code; the stack only when asked for (it helps developers, not operators). */
export function reportError(error: unknown, withStack = false): ErrorReport {
  if (error instanceof CliUsageError) return { line: `error: ${error.code}: ${oneLine(error.message)}`, exitCode: ExitCode.Usage };
  if (error instanceof DlqAlreadyReprocessedError) return { line: `error: ${error.code}: ${oneLine(error.message)}`, exitCode: ExitCode.Conflict };
  if (error instanceof QueueError) return { line: `error: ${error.code}: ${oneLine(error.message)}`, exitCode: ExitCode.Failure };
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    const label = typeof code === 'string' || typeof code === 'number' ? `${error.name} ${code}` : error.name;
    const stack = withStack && error.stack ? `\n${error.stack}` : '';
    return { line: `error: ${label}: ${oneLine(error.message)}${stack}`, exitCode: ExitCode.Failure };
  }
  return { line: `error: ${oneLine(String(error))}`, exitCode: ExitCode.Failure };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
