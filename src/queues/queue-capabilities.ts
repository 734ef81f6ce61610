import type { NamedQueueBackend, Queue } from '../queue-api/queue-api';

/** The methods a backend may offer beyond the documented Queue interface. */
export type ExtraMethod = Exclude<keyof NamedQueueBackend, keyof Queue | 'name'>;

const EXTRA_METHODS: readonly ExtraMethod[] = ['metrics', 'onProgress', 'pause', 'resume', 'pauseLocal', 'resumeLocal', 'isPaused', 'setPolling'];

/** True when the backend offers `method` (a plain documented Queue does not). */
export function offers<T, K extends ExtraMethod>(queue: Queue<T>, method: K): queue is Queue<T> & Pick<NamedQueueBackend<T>, K> {
  return typeof (queue as Partial<Record<ExtraMethod, unknown>>)[method] === 'function';
}

/**
 * True for the product's own backends (every extra method): they also take the product's
 * options (LIFO, cron schedules, recurring priority) and pass handlers a context.
 */
export function isNamedQueueBackend<T>(queue: Queue<T>): queue is NamedQueueBackend<T> {
  return EXTRA_METHODS.every((method) => offers(queue, method));
}

/** Option keys a plain Queue takes, per method; anything else needs a NamedQueueBackend. */
export const DOCUMENTED_OPTIONS = {
  enqueue: ['priority', 'startDelay', 'jobId'],
  scheduleRecurring: ['startDelay'],
} as const;

/** The option keys (with a value) that a plain Queue would not understand. */
export function undocumentedOptions(options: object | undefined, documented: readonly string[]): string[] {
  if (!options) return [];
  return Object.entries(options)
    .filter(([key, value]) => value !== undefined && !documented.includes(key))
    .map(([key]) => key);
}
