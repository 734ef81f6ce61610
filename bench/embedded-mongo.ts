/**
 * Benchmark of the embedded MongoDB server through the real driver, the server running in its
 * own process (`scripts/mongo-embedded.ts`) as it does for the demo:
 * - findOneAndUpdate claims/s at 1,000 and at 100,000 documents (the claim index in place),
 *   from one client and from 8 concurrent clients;
 * - inserts/s (one at a time, and insertMany of 1,000);
 * - bulkWrite of 500 updateOne operations per call (operations/s).
 * `pnpm exec tsx bench/embedded-mongo.ts [--json]`; also called by `pnpm bench`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { MongoClient, type Collection, type Document } from 'mongodb';

const ROOT = join(__dirname, '..');
const CLAIMS = 1_500;

export async function startServer(): Promise<{ uri: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/mongo-embedded.ts')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('embedded server did not print its URI within 20 s')), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0]);
      }
    });
    child.once('exit', (code) => reject(new Error(`embedded server exited with ${code}`)));
  });
  return { uri, child };
}

async function seed(coll: Collection<Document>, count: number): Promise<void> {
  await coll.drop().catch(() => undefined);
  await coll.createIndex({ queue: 1, status: 1, priority: -1, _id: 1 });
  for (let i = 0; i < count; i += 5_000) {
    const size = Math.min(5_000, count - i);
    await coll.insertMany(Array.from({ length: size }, (_, j) => ({ queue: 'q', status: 'pending', priority: (i + j) % 20, attempts: 0, data: { n: i + j } })));
  }
}

async function claimRate(colls: Array<Collection<Document>>, claims: number): Promise<number> {
  let remaining = claims;
  const started = performance.now();
  await Promise.all(
    colls.map(async (coll) => {
      while (remaining > 0) {
        remaining -= 1;
        const doc = await coll.findOneAndUpdate(
          { queue: 'q', status: 'pending' },
          { $set: { status: 'processing', lockedAt: new Date() }, $inc: { attempts: 1 } },
          { sort: { priority: -1, _id: 1 }, returnDocument: 'after' },
        );
        if (!doc) throw new Error('ran out of pending documents');
      }
    }),
  );
  return claims / ((performance.now() - started) / 1000);
}

export async function runEmbeddedMongoBench(): Promise<Record<string, number>> {
  const { uri, child } = await startServer();
  const clients = await Promise.all(Array.from({ length: 8 }, () => new MongoClient(uri, { maxPoolSize: 2 }).connect()));
  const db = (i: number) => clients[i].db('bench');
  const results: Record<string, number> = {};
  try {
    const jobs = db(0).collection('jobs');
    await seed(jobs, 1_000);
    results.claims_per_s_1k_docs = await claimRate([jobs], Math.min(CLAIMS, 900));
    await seed(jobs, 100_000);
    results.claims_per_s_100k_docs = await claimRate([jobs], CLAIMS);
    results.claims_per_s_100k_docs_8_clients = await claimRate(clients.map((_, i) => db(i).collection('jobs')), CLAIMS * 2);
    results.claims_100k_vs_1k = results.claims_per_s_100k_docs / results.claims_per_s_1k_docs;

    const inserts = db(0).collection('inserts');
    let started = performance.now();
    for (let i = 0; i < 1_000; i += 1) await inserts.insertOne({ i, payload: { a: 'x'.repeat(100) } });
    results.inserts_per_s_single = 1_000 / ((performance.now() - started) / 1000);
    started = performance.now();
    for (let round = 0; round < 10; round += 1) {
      await inserts.insertMany(Array.from({ length: 1_000 }, (_, i) => ({ round, i, payload: { a: 'x'.repeat(100) } })));
    }
    results.inserts_per_s_insert_many_1000 = 10_000 / ((performance.now() - started) / 1000);

    const ids = (await inserts.find({ round: { $exists: true } }, { projection: { _id: 1 } }).limit(5_000).toArray()).map((d) => d._id);
    started = performance.now();
    for (let call = 0; call < 10; call += 1) {
      const slice = ids.slice((call % 10) * 500, (call % 10) * 500 + 500);
      await inserts.bulkWrite(slice.map((_id) => ({ updateOne: { filter: { _id }, update: { $inc: { touched: 1 } } } })), { ordered: false });
    }
    results.bulk_write_500_updates_ops_per_s = 5_000 / ((performance.now() - started) / 1000);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  for (const key of Object.keys(results)) results[key] = Math.round(results[key] * 100) / 100;
  return results;
}

if (require.main === module) {
  runEmbeddedMongoBench().then(
    (results) => {
      if (process.argv.includes('--json')) {
        process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        return;
      }
      process.stdout.write('| embedded MongoDB (server in its own process, raw driver) | value |\n|---|---|\n');
      for (const [key, value] of Object.entries(results)) process.stdout.write(`| ${key} | ${value} |\n`);
      process.stdout.write(`\ntargets: claims at 100k ≥ 0.8× claims at 1k (${results.claims_100k_vs_1k >= 0.8 ? 'met' : 'missed'}); ≥ 1,000 claims/s from one client (${results.claims_per_s_100k_docs >= 1000 ? 'met' : 'missed'})\n`);
    },
    (error: unknown) => {
      process.stderr.write(`benchmark failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
