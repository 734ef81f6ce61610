/**
 * One read shared by every viewer of a page: requests that arrive while it runs wait for the same
 * call, and its result serves for `maxAgeMs` after it finished. The overview's aggregations scan
 * the whole queue; ten operators polling every two seconds then cost one scan, not ten.
 */
export class SharedRead<T> {
  private running: Promise<T> | undefined;
  private last: { value: T; at: number } | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly maxAgeMs: number,
  ) {}

  async get(now = Date.now()): Promise<T> {
    if (this.running) return this.running;
    if (this.last && now - this.last.at < this.maxAgeMs) return this.last.value;
    const running = this.read();
    this.running = running;
    try {
      const value = await running;
      this.last = { value, at: Date.now() };
      return value;
    } finally {
      if (this.running === running) this.running = undefined;
    }
  }

  /** After a change the page shows: the next get reads afresh. */
  invalidate(): void {
    this.last = undefined;
  }
}
