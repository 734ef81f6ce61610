import { MAX_MESSAGE_BYTES } from './wire-protocol';

/**
 * Default bound on the bytes of unfinished messages held for all connections together: two
 * messages of the largest size. Without it, six clients each holding back the end of a 48 MB
 * message made the server hold 288 MB.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 2 * MAX_MESSAGE_BYTES;
/** Default bound per connection: one message of the largest size (its header included in the 48 MB). */
export const DEFAULT_MAX_CONNECTION_BUFFERED_BYTES = MAX_MESSAGE_BYTES;

export interface BufferLimits {
  /** All connections together. */
  total: number;
  /** One connection. */
  perConnection: number;
}

/**
 * The bytes buffered for incoming messages, per connection and in total. A connection asks
 * before it buffers a chunk; a refusal means that connection is closed, so one client (or a few)
 * sending slowly never takes the memory the others need. (A connection's own bound is checked on
 * what framing keeps: a chunk may end one message and start the next.)
 */
export class BufferBudget {
  private used = 0;
  private peak = 0;

  constructor(readonly limits: BufferLimits) {}

  /** Bytes held now, and the most ever held at once (both within the total bound). */
  get usage(): { bufferedBytes: number; peakBufferedBytes: number } {
    return { bufferedBytes: this.used, peakBufferedBytes: this.peak };
  }

  /**
   * Counts an arriving chunk against the total before it is framed; the reason when it does not
   * fit. Whatever framing does not keep is released at once.
   */
  take(more: number): string | undefined {
    if (this.used + more > this.limits.total) return `the server would buffer ${this.used + more} bytes for all connections (limit ${this.limits.total})`;
    this.used += more;
    this.peak = Math.max(this.peak, this.used);
    return undefined;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }

  /** The reason a connection holding `held` bytes of an unfinished message is over its own bound. */
  overConnectionLimit(held: number): string | undefined {
    return held > this.limits.perConnection ? `a connection holds ${held} bytes of an unfinished message (limit ${this.limits.perConnection})` : undefined;
  }
}
