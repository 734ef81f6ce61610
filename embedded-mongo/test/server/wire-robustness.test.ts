import { Socket } from 'node:net';
import { deserialize, serialize } from 'bson';
import { MongoClient } from 'mongodb';
import { EmbeddedMongoServer } from '../../src/server';
import { waitFor } from '../../../test/support/wait-for';

/** One OP_MSG with a kind-0 body. */
function opMsg(body: Record<string, unknown>, requestId = 1, flags = 0): Buffer {
  const doc = serialize(body);
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + doc.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2013, 12);
  header.writeUInt32LE(flags, 16);
  header.writeUInt8(0, 20);
  return Buffer.concat([header, doc]);
}

class RawClient {
  private readonly socket = new Socket();
  private data = Buffer.alloc(0);
  closed = false;
  constructor(port: number) {
    this.socket.on('data', (chunk) => (this.data = Buffer.concat([this.data, chunk])));
    this.socket.on('close', () => (this.closed = true));
    this.socket.on('error', () => undefined);
    this.socket.connect(port, '127.0.0.1');
  }
  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }
  async reply(): Promise<{ responseTo: number; body: Record<string, unknown> }> {
    await waitFor(() => this.data.length >= 4 && this.data.length >= this.data.readInt32LE(0), 'a reply', 5_000, 5);
    const length = this.data.readInt32LE(0);
    const message = this.data.subarray(0, length);
    this.data = this.data.subarray(length);
    expect(message.readInt32LE(12)).toBe(2013);
    expect(message.readUInt8(20)).toBe(0);
    return { responseTo: message.readInt32LE(8), body: deserialize(message.subarray(21)) };
  }
  destroy(): void {
    this.socket.destroy();
  }
}

describe('embedded server: bad input never crashes it', () => {
  const server = new EmbeddedMongoServer();
  let client: MongoClient;
  const raws: RawClient[] = [];
  const raw = () => {
    const c = new RawClient(server.port);
    raws.push(c);
    return c;
  };

  beforeAll(async () => {
    await server.start();
    client = await new MongoClient(server.uri).connect();
  });
  afterAll(async () => {
    raws.forEach((r) => r.destroy());
    await client.close();
    await server.stop();
  });

  async function stillServes(): Promise<void> {
    await client.db('robust').collection('c').insertOne({ at: new Date() });
    expect(await client.db('robust').collection('c').countDocuments()).toBeGreaterThan(0);
  }

  it('answers a command over a raw socket, echoing the request id', async () => {
    const c = raw();
    c.send(opMsg({ ping: 1, $db: 'admin' }, 77));
    const reply = await c.reply();
    expect(reply).toEqual({ responseTo: 77, body: { ok: 1 } });
  });

  it('answers an unknown command with CommandNotFound (59)', async () => {
    const c = raw();
    c.send(opMsg({ frobnicate: 1, $db: 'admin' }));
    expect((await c.reply()).body).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound' });
  });

  it('answers wrong argument types with an error reply, not a crash', async () => {
    const c = raw();
    c.send(opMsg({ find: 5, $db: 'robust' }, 2));
    expect((await c.reply()).body).toMatchObject({ ok: 0, code: 2 });
    c.send(opMsg({ find: 'c', filter: 'not a document', $db: 'robust' }, 3));
    expect((await c.reply()).body).toMatchObject({ ok: 0, code: 14 });
    c.send(opMsg({ insert: 'c', documents: 'nope', $db: 'robust' }, 4));
    expect((await c.reply()).body).toMatchObject({ ok: 0 });
    c.send(opMsg({ find: 'c', filter: { a: { $frob: 1 } }, $db: 'robust' }, 5));
    expect((await c.reply()).body).toMatchObject({ ok: 0, code: 2 });
    await stillServes();
  });

  it('splits messages that share a chunk and joins one sent in pieces', async () => {
    const c = raw();
    const a = opMsg({ ping: 1, $db: 'admin' }, 10);
    const b = opMsg({ ping: 1, $db: 'admin' }, 11);
    c.send(Buffer.concat([a, b.subarray(0, 7)]));
    expect((await c.reply()).responseTo).toBe(10);
    c.send(b.subarray(7));
    expect((await c.reply()).responseTo).toBe(11);
  });

  it('does not reply to a moreToCome (w:0) message', async () => {
    const c = raw();
    c.send(opMsg({ insert: 'c', documents: [{ fireAndForget: true }], $db: 'robust' }, 20, 2));
    c.send(opMsg({ ping: 1, $db: 'admin' }, 21));
    expect((await c.reply()).responseTo).toBe(21);
    expect(await client.db('robust').collection('c').countDocuments({ fireAndForget: true })).toBe(1);
  });

  it.each([
    ['a negative length', Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
    ['a length over 48 MB', (() => { const b = Buffer.alloc(16); b.writeInt32LE(60_000_000, 0); return b; })()],
    ['an unknown opcode', (() => { const b = Buffer.alloc(20); b.writeInt32LE(20, 0); b.writeInt32LE(9999, 12); return b; })()],
    ['a truncated BSON body', (() => { const m = opMsg({ ping: 1 }); m.writeInt32LE(500, 21); return m; })()],
  ])('closes the connection that sent %s and keeps serving others', async (_name, bytes) => {
    const c = raw();
    c.send(bytes);
    await waitFor(() => c.closed, 'the connection to be closed', 5_000);
    await stillServes();
  });

  it('survives a client that disconnects mid-message', async () => {
    const c = raw();
    c.send(opMsg({ insert: 'c', documents: [{ half: true }], $db: 'robust' }).subarray(0, 30));
    c.destroy();
    await stillServes();
    expect(await client.db('robust').collection('c').countDocuments({ half: true })).toBe(0);
  });

  it('refuses transactions like a standalone mongod (code 20)', async () => {
    const session = client.startSession();
    try {
      session.startTransaction();
      await expect(client.db('robust').collection('c').insertOne({ tx: 1 }, { session })).rejects.toMatchObject({ code: 20 });
    } finally {
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
  });
});
