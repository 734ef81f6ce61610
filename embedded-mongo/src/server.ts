import { createServer, type Server, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { createEngine, type Engine } from './engine';
import { dispatchCommand, errorReply } from './commands/command-dispatcher';
import type { CommandContext } from './commands/command-context';
import { CursorRegistry } from './commands/cursor-registry';
import { BufferBudget, DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_CONNECTION_BUFFERED_BYTES } from './wire/buffer-budget';
import { decodeRequest, encodeReply, MessageFramer, ProtocolError } from './wire/wire-protocol';
import { ChangeLog } from './persistence/change-log';

export interface EmbeddedMongoOptions {
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  /** How often TTL indexes are applied. */
  ttlSweepIntervalMs?: number;
  /** Idle cursors are closed after this long (mongod: 10 minutes). */
  cursorTimeoutMs?: number;
  /** Keep data in this folder across restarts (memory only when absent). */
  dataDir?: string;
  /** Bytes of unfinished incoming messages held for all connections together (default 96 MB); the connection that would pass it is closed. */
  maxBufferedBytes?: number;
  /** Bytes of one connection's unfinished message (default 48 MB, MongoDB's maxMessageSizeBytes); also the reply backlog after which it is no longer read. */
  maxConnectionBufferedBytes?: number;
  logger?: Logger;
}

export interface EmbeddedMongoStats {
  connections: number;
  /** Bytes of unfinished incoming messages held now, and the most held at once since start. */
  bufferedBytes: number;
  peakBufferedBytes: number;
  /** Connections closed for passing a buffer bound. */
  closedForBuffering: number;
  /** Bytes of replies written but not yet taken by the clients' sockets. */
  unsentReplyBytes: number;
  /** Commands run since start, by name (`find`, `aggregate`, ...): what clients cost the server. */
  commands: Record<string, number>;
}

/**
 * A MongoDB-wire-compatible server for tests and the demo on machines without mongod.
 * Every command runs synchronously on the in-memory engine, so each one is atomic with
 * respect to every other client. Not a production database.
 */
export class EmbeddedMongoServer {
  private server: Server | undefined;
  private engine: Engine | undefined;
  private cursors: CursorRegistry | undefined;
  private changeLog: ChangeLog | undefined;
  private readonly sockets = new Set<Socket>();
  private timers: NodeJS.Timeout[] = [];
  private nextConnectionId = 1;
  private budget = new BufferBudget({ total: DEFAULT_MAX_BUFFERED_BYTES, perConnection: DEFAULT_MAX_CONNECTION_BUFFERED_BYTES });
  private closedForBuffering = 0;
  private commandCounts = new Map<string, number>();
  private logger: Logger = pino({ level: 'silent' });
  port = 0;
  host = '127.0.0.1';

  get uri(): string {
    return `mongodb://${this.host}:${this.port}/`;
  }

  async start(options: EmbeddedMongoOptions = {}): Promise<this> {
    if (this.server) return this;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'embedded-mongo' });
    this.host = options.host ?? '127.0.0.1';
    this.budget = new BufferBudget({
      total: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      perConnection: options.maxConnectionBufferedBytes ?? DEFAULT_MAX_CONNECTION_BUFFERED_BYTES,
    });
    this.closedForBuffering = 0;
    this.commandCounts.clear();
    const engine = createEngine();
    if (options.dataDir) {
      this.changeLog = new ChangeLog(options.dataDir);
      const { restored } = this.changeLog.open(engine);
      this.logger.info({ dataDir: options.dataDir, restored }, 'embedded MongoDB restored its data');
    }
    const cursors = new CursorRegistry(options.cursorTimeoutMs ?? 10 * 60_000);
    this.engine = engine;
    this.cursors = cursors;
    const server = createServer((socket) => this.serve(socket, engine, cursors));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, this.host, () => resolve());
    });
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
    const ttl = setInterval(() => engine.sweepTtl(new Date()), options.ttlSweepIntervalMs ?? 1_000);
    const expiry = setInterval(() => cursors.expire(), Math.min(options.cursorTimeoutMs ?? 60_000, 60_000));
    ttl.unref();
    expiry.unref();
    this.timers = [ttl, expiry];
    this.logger.debug({ uri: this.uri }, 'embedded MongoDB listening');
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    // Stop accepting first: a client reconnecting at once must not land on a server going away.
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
    this.cursors?.clear();
    if (this.engine) this.changeLog?.close(this.engine);
    this.changeLog = undefined;
  }

  /** Drops every database. */
  reset(): void {
    this.engine?.reset();
    this.cursors?.clear();
  }

  /** Connections and the memory held for their incoming messages. */
  stats(): EmbeddedMongoStats {
    const unsentReplyBytes = [...this.sockets].reduce((sum, socket) => sum + socket.writableLength, 0);
    return { connections: this.sockets.size, ...this.budget.usage, unsentReplyBytes, closedForBuffering: this.closedForBuffering, commands: Object.fromEntries(this.commandCounts) };
  }

  /** Applies TTL indexes now; returns how many documents expired. */
  sweepTtl(now = new Date()): number {
    return this.engine?.sweepTtl(now) ?? 0;
  }

  private serve(socket: Socket, engine: Engine, cursors: CursorRegistry): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const framer = new MessageFramer();
    const context: CommandContext = { engine, cursors, connectionId: this.nextConnectionId++ };
    const budget = this.budget;
    const overBound = (reason: string) => {
      this.closedForBuffering += 1;
      this.logger.warn({ connectionId: context.connectionId, reason }, 'closing connection: buffer bound reached');
      socket.destroy();
    };
    // Requests framed but not answered yet. Replies a client does not read stay in the socket:
    // past the connection's bound, answering and reading stop until the client catches up.
    const waiting: Buffer[] = [];
    const answerWaiting = () => {
      while (waiting.length > 0 && !socket.destroyed) {
        if (socket.writableLength > budget.limits.perConnection) {
          socket.pause();
          return;
        }
        this.answer(waiting.shift() as Buffer, socket, context);
      }
      if (socket.isPaused() && !socket.destroyed) socket.resume();
    };
    socket.on('drain', answerWaiting);
    socket.on('data', (chunk: Buffer) => {
      const held = framer.bufferedBytes;
      const refusal = budget.take(chunk.length);
      if (refusal) {
        overBound(refusal);
        return;
      }
      let messages: Buffer[];
      try {
        messages = framer.push(chunk);
      } catch (error) {
        this.logger.debug({ err: (error as Error).message }, 'closing connection: malformed framing');
        socket.destroy();
        return;
      } finally {
        budget.release(held + chunk.length - framer.bufferedBytes);
      }
      const tooMuch = budget.overConnectionLimit(framer.bufferedBytes);
      if (tooMuch) {
        overBound(tooMuch);
        return;
      }
      waiting.push(...messages);
      answerWaiting();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      budget.release(framer.bufferedBytes);
      waiting.length = 0;
      this.sockets.delete(socket);
    });
  }

  /** Runs one request and writes its reply; a message that cannot be decoded closes the connection. */
  private answer(message: Buffer, socket: Socket, context: CommandContext): void {
    let request;
    try {
      request = decodeRequest(message);
    } catch (error) {
      // A message we cannot parse leaves the stream in an unknown state: close this connection only.
      this.logger.debug({ err: (error as Error).message }, 'closing connection: malformed message');
      socket.destroy();
      return;
    }
    const name = Object.keys(request.command)[0] ?? '';
    this.commandCounts.set(name, (this.commandCounts.get(name) ?? 0) + 1);
    let reply;
    try {
      reply = dispatchCommand(request.command, context);
    } catch (error) {
      reply = errorReply(error);
    }
    if (request.noReply) return;
    try {
      socket.write(encodeReply(request, reply));
    } catch (error) {
      socket.write(encodeReply(request, errorReply(new ProtocolError(`reply could not be encoded: ${(error as Error).message}`))));
    }
  }
}
