/** Base of every error the product throws on purpose: a stable `code` and a message a user can act on. */
export class QueueError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
