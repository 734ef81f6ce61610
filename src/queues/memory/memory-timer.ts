/** setTimeout's ceiling (about 24.8 days): longer delays fire at once, so they are re-armed in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface TimerHandle {
  cancel(): void;
}

/**
 * Calls `fire` at `at` (ms since the epoch). Unref'd: an in-memory queue must not keep a
 * process (or a test run) alive just because a job or schedule is due later.
 */
export function setTimerAt(at: number, fire: () => void): TimerHandle {
  let handle: NodeJS.Timeout;
  const arm = (): void => {
    const remaining = Math.max(0, at - Date.now());
    // Timers may fire a millisecond early; re-arm until the due time has really passed.
    handle = setTimeout(() => (at - Date.now() > 0 ? arm() : fire()), Math.min(remaining, MAX_TIMEOUT_MS));
    handle.unref();
  };
  arm();
  return { cancel: () => clearTimeout(handle) };
}
