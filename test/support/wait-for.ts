/** Polls `check` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, intervalMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Asserts `holds` stays true for `windowMs` (several poll cycles of the tests' 50 ms workers). A
 * negative check ("nothing runs while paused") needs a window; this is the only kind of timed wait.
 */
export async function holdsThroughout(holds: () => boolean, what: string, windowMs = 400): Promise<void> {
  const until = Date.now() + windowMs;
  while (Date.now() < until) {
    if (!holds()) throw new Error(`violated: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
