/** What this process last learned about Redis accepting writes. */
export interface RedisWriteStatus {
  /** True from a refused or failed write until a write succeeds again. */
  refusing: boolean;
  /** Writes that failed while the connection was up (OOM, READONLY, MISCONF, timeouts...). */
  failures: number;
  lastError: string | null;
  lastErrorAt: Date | null;
}

/**
 * Redis can be connected and answer PING while refusing every write: `OOM command not allowed`
 * under maxmemory + noeviction, `READONLY` on a replica after a failover, `MISCONF` after a failed
 * save. Every Redis write of the queue reports here; while the last one failed, the queue treats
 * Redis as unavailable (claims from MongoDB, maintenance under a MongoDB lease, health degraded).
 * The writes that keep being tried (task locks each poll interval, offers, the health probe) are
 * the probes: the first that succeeds ends the state, so recovery needs no one.
 */
export class RedisWriteHealth {
  private status: RedisWriteStatus = { refusing: false, failures: 0, lastError: null, lastErrorAt: null };

  get refusing(): boolean {
    return this.status.refusing;
  }

  recordFailure(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.status = { refusing: true, failures: this.status.failures + 1, lastError: message.slice(0, 500), lastErrorAt: new Date() };
  }

  recordSuccess(): void {
    if (this.status.refusing) this.status = { ...this.status, refusing: false };
  }

  snapshot(): RedisWriteStatus {
    return { ...this.status };
  }
}
