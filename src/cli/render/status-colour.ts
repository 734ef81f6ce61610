import type { Colors, Formatter } from 'picocolors/types';

/** Colours that let a glance find trouble: red for dead, yellow for running, green for done. */
export function statusColour(colors: Colors, status: string): Formatter {
  switch (status) {
    case 'dead':
      return colors.red;
    case 'processing':
      return colors.yellow;
    case 'completed':
      return colors.green;
    case 'cancelled':
      return colors.gray;
    default:
      return colors.cyan;
  }
}

export function severityColour(colors: Colors, severity: string): Formatter {
  switch (severity) {
    case 'critical':
      return (text) => colors.bold(colors.red(text));
    case 'high':
      return colors.red;
    case 'medium':
      return colors.yellow;
    default:
      return colors.dim;
  }
}
