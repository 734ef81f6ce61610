import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, appendFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { EmbeddedMongoServer } from '../../src/server';
import { acquireMongo } from '../../../src/devservers/mongo';
import { waitFor } from '../../../test/support/wait-for';

const ROOT = join(__dirname, '..', '..', '..');

describe('embedded server lifecycle', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'embedded-mongo-'));
    dirs.push(dir);
    return dir;
  }

  it('keeps documents and indexes across a restart when given a data folder, ignoring a torn log tail', async () => {
    const dataDir = tempDir();
    const first = await new EmbeddedMongoServer().start({ dataDir });
    let client = await new MongoClient(first.uri).connect();
    const jobs = client.db('persist').collection('jobs');
    await jobs.createIndex({ key: 1 }, { unique: true });
    await jobs.insertMany([{ key: 'a', at: new Date(1_700_000_000_000) }, { key: 'b' }]);
    await jobs.updateOne({ key: 'b' }, { $set: { done: true } });
    await jobs.deleteOne({ key: 'zzz' });
    await client.close();
    await first.stop();
    // A crash mid-write leaves half a record at the end of the log.
    appendFileSync(join(dataDir, 'changes.log'), Buffer.from([0x40, 0, 0, 0, 3, 1]));

    const second = await new EmbeddedMongoServer().start({ dataDir });
    client = await new MongoClient(second.uri).connect();
    const again = client.db('persist').collection('jobs');
    expect(await again.find({}, { projection: { _id: 0 } }).sort({ key: 1 }).toArray()).toEqual([
      { key: 'a', at: new Date(1_700_000_000_000) },
      { key: 'b', done: true },
    ]);
    await expect(again.insertOne({ key: 'a' })).rejects.toMatchObject({ code: 11000 });
    await again.insertOne({ key: 'c' });
    await client.close();
    await second.stop();
    expect(readdirSync(dataDir).sort()).toEqual(['changes.log', 'snapshot.bson']);

    const third = await new EmbeddedMongoServer().start({ dataDir });
    client = await new MongoClient(third.uri).connect();
    expect(await client.db('persist').collection('jobs').countDocuments()).toBe(3);
    await client.close();
    await third.stop();
  });

  it('expires idle cursors (CursorNotFound, 43)', async () => {
    const server = await new EmbeddedMongoServer().start({ cursorTimeoutMs: 50 });
    const client = await new MongoClient(server.uri).connect();
    try {
      const coll = client.db('cursors').collection('c');
      await coll.insertMany(Array.from({ length: 20 }, (_, i) => ({ i })));
      const reply = await client.db('cursors').command({ find: 'c', batchSize: 2 });
      const cursorId = (reply.cursor as { id: unknown }).id;
      await waitFor(async () => {
        const result = await client.db('cursors').command({ getMore: cursorId, collection: 'c', batchSize: 2 }).catch((e: { code?: number }) => e);
        return (result as { code?: number }).code === 43;
      }, 'the cursor to expire', 10_000, 60);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('runs as `pnpm mongo:embedded`: URI on the first line, exit 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/mongo-embedded.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const uri = await waitFor(() => (stdout.includes('\n') ? stdout.split('\n')[0] : null), 'the URI line', 20_000);
    expect(uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
    const client = await new MongoClient(uri).connect();
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    await client.close();
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);

  it('acquireMongo prefers MONGO_URI, and says which server it chose', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => {
      const entry = JSON.parse(line) as { kind?: string; reason?: string };
      if (entry.kind) lines.push(`${entry.kind}: ${entry.reason}`);
    } });
    const external = await acquireMongo({ env: { MONGO_URI: 'mongodb://db.example:27017/' }, logger });
    expect(external).toMatchObject({ kind: 'external', uri: 'mongodb://db.example:27017/' });
    const embedded = await acquireMongo({ env: { QUEUE_EMBEDDED_MONGO: '1' }, logger });
    try {
      expect(embedded.kind).toBe('embedded');
      const client = await new MongoClient(embedded.uri).connect();
      await client.db('admin').command({ ping: 1 });
      await client.close();
    } finally {
      await embedded.stop();
    }
    expect(lines).toEqual(['external: MONGO_URI is set', expect.stringMatching(/^embedded: QUEUE_EMBEDDED_MONGO=1/)]);
  });
});
