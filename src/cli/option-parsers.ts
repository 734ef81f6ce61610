import { InvalidArgumentError } from 'commander';

/*
 * Option parsers for commander: a rejected value is reported by commander as a usage error (exit 2).
 * Kept apart from cli-errors.ts so that the renderers and their tests never load commander.
 */

/** A commander option parser for integers within bounds (commander reports the failure as a usage error). */
export function integerOption(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new InvalidArgumentError('must be an integer.');
    if (value < min || value > max) throw new InvalidArgumentError(`must be between ${min} and ${max}.`);
    return value;
  };
}

/** A commander option parser that accepts only the listed values. */
export function choiceOption<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) throw new InvalidArgumentError(`must be one of ${choices.join(', ')}.`);
    return text as T;
  };
}
