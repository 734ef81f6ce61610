import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedMongoServer } from '../../embedded-mongo/src/server';

/**
 * A MongoDB of one test file's own, to stop and start again (an outage) without touching the
 * run's shared server. Its data survives a restart (kept in a temporary folder).
 */
export class PrivateMongo {
  private server: EmbeddedMongoServer | undefined;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'queue-private-mongo-'));
  port = 0;

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<this> {
    if (this.server) return this;
    const server = new EmbeddedMongoServer();
    await server.start({ port: this.port, dataDir: this.dataDir });
    this.server = server;
    this.port = server.port;
    return this;
  }

  /** Closes the port and every connection: clients see MongoDB as down. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
