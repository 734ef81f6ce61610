import { Socket } from 'node:net';
import { serialize } from 'bson';
import { MongoClient } from 'mongodb';
import { EmbeddedMongoServer } from '../../src/server';
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_CONNECTION_BUFFERED_BYTES } from '../../src/wire/buffer-budget';
import { MAX_MESSAGE_BYTES } from '../../src/wire/wire-protocol';
import { holdsThroughout, waitFor } from '../../../test/support/wait-for';

const MB = 1024 * 1024;

/** A client that announces a message of `length` bytes and then sends only part of it. */
class SlowSender {
  private readonly socket = new Socket();
  closed = false;
  sent = 0;
  constructor(port: number) {
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
    this.socket.connect(port, '127.0.0.1');
  }
  async sendHeaderAndPart(length: number, bytes: number): Promise<void> {
    const header = Buffer.alloc(16);
    header.writeInt32LE(length, 0);
    header.writeInt32LE(2013, 12);
    await this.write(header);
    const piece = Buffer.alloc(256 * 1024, 0x61);
    while (this.sent < bytes && !this.closed) {
      await this.write(piece.subarray(0, Math.min(piece.length, bytes - this.sent)));
      this.sent += Math.min(piece.length, bytes - this.sent);
    }
  }
  private write(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }
  destroy(): void {
    this.socket.destroy();
  }
}

/** One OP_MSG request. */
function opMsg(body: Record<string, unknown>, requestId: number): Buffer {
  const doc = serialize(body);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + doc.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(2013, 12);
  return Buffer.concat([header, doc]);
}

describe('embedded server: bounded buffers', () => {
  it('defaults to MongoDB\'s 48 MB message bound per connection and two such messages in total', () => {
    expect(MAX_MESSAGE_BYTES).toBe(48_000_000);
    expect(DEFAULT_MAX_CONNECTION_BUFFERED_BYTES).toBe(48_000_000);
    expect(DEFAULT_MAX_BUFFERED_BYTES).toBe(96_000_000);
  });

  describe('under a flood of half-sent messages', () => {
    const TOTAL = 16 * MB;
    const server = new EmbeddedMongoServer();
    let client: MongoClient;
    const senders: SlowSender[] = [];

    beforeAll(async () => {
      await server.start({ maxBufferedBytes: TOTAL, maxConnectionBufferedBytes: 6 * MB });
      client = await new MongoClient(server.uri, { maxPoolSize: 1 }).connect();
      await client.db('bounds').command({ ping: 1 });
    });
    afterAll(async () => {
      senders.forEach((s) => s.destroy());
      await client.close();
      await server.stop();
    });

    it('closes the connections that would pass the bound, stays within it and keeps serving others', async () => {
      // Six clients each announce a 40 MB message and send 5 MB of it: 30 MB wanted, 16 MB allowed.
      for (let i = 0; i < 6; i += 1) senders.push(new SlowSender(server.port));
      await Promise.all(senders.map((s) => s.sendHeaderAndPart(40_000_000, 5 * MB)));
      // Settled: the connections still open hold what they sent (nothing counted twice), the others are closed.
      const held = () => senders.filter((s) => !s.closed).length * (16 + 5 * MB);
      await waitFor(() => senders.filter((s) => s.closed).length >= 3 && server.stats().bufferedBytes === held(), 'the connections past the bound to be closed', 10_000);
      const stats = server.stats();
      expect(stats.peakBufferedBytes).toBeLessThanOrEqual(TOTAL);
      expect(stats.closedForBuffering).toBe(senders.filter((s) => s.closed).length);
      // An ordinary client is served all along.
      await client.db('bounds').collection('c').insertOne({ during: 'flood' });
      expect(await client.db('bounds').collection('c').countDocuments({ during: 'flood' })).toBe(1);
      // Closing the slow senders gives their bytes back.
      senders.forEach((s) => s.destroy());
      await waitFor(() => server.stats().bufferedBytes === 0, 'the buffered bytes to be released', 5_000);
    });

    it('closes one connection whose unfinished message passes its own bound, and serves a large message under it', async () => {
      const greedy = new SlowSender(server.port);
      senders.push(greedy);
      await greedy.sendHeaderAndPart(40_000_000, 7 * MB);
      await waitFor(() => greedy.closed, 'the greedy connection to be closed', 5_000);
      expect(greedy.sent).toBeLessThan(7 * MB + 1);
      const big = 'x'.repeat(4 * MB);
      await client.db('bounds').collection('big').insertOne({ big });
      expect((await client.db('bounds').collection('big').findOne({}))?.big).toHaveLength(4 * MB);
      await waitFor(() => server.stats().bufferedBytes === 0, 'the buffered bytes to be released', 5_000);
    });
  });

  describe('with a client that sends requests and does not read the replies', () => {
    const BOUND = 4 * MB;
    const server = new EmbeddedMongoServer();
    let client: MongoClient;
    let reader: Socket | undefined;

    beforeAll(async () => {
      await server.start({ maxConnectionBufferedBytes: BOUND });
      client = await new MongoClient(server.uri, { maxPoolSize: 1 }).connect();
      await client.db('bounds').collection('big').insertOne({ _id: 1 as never, big: 'y'.repeat(MB) });
    });
    afterAll(async () => {
      reader?.destroy();
      await client.close();
      await server.stop();
    });

    it('stops answering it once its unread replies pass the bound, and goes on when it reads', async () => {
      const socket = new Socket();
      reader = socket;
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.connect(server.port, '127.0.0.1', () => resolve()));
      socket.pause();
      const requests = 100; // 100 replies of 1 MB each: 25 times the bound.
      socket.write(Buffer.concat(Array.from({ length: requests }, (_, i) => opMsg({ find: 'big', filter: {}, $db: 'bounds' }, i + 1))));
      await waitFor(() => server.stats().unsentReplyBytes > BOUND, 'the unread replies to reach the bound');
      // Held there: one reply past the bound at most (the kernel's socket buffers come on top, uncounted).
      await holdsThroughout(() => server.stats().unsentReplyBytes <= BOUND + 1.1 * MB, 'unread replies within the bound', 300);
      await client.db('bounds').command({ ping: 1 });
      // Reading resumes the answers: every reply arrives.
      let received = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.length));
      socket.resume();
      await waitFor(() => received >= requests * MB, 'all the replies', 20_000);
      await waitFor(() => server.stats().unsentReplyBytes === 0, 'nothing left unsent');
    });
  });
});
