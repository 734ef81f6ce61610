/**
 * Runs a read with a deadline: its value, or undefined when it fails or takes longer than `ms`.
 * Health answers and scrapes use it so a MongoDB that stopped answering makes them report the
 * component down instead of hanging until the driver's own (much longer) timeouts.
 */
export async function readWithin<T>(read: () => Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([read().catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
