/**
 * `pnpm bench:profile-summary <file.cpuprofile>`: the self time of a V8 CPU profile (node
 * --cpu-prof) grouped by package or project file and by function, as percentages — the tables
 * of bench/PROFILE.md.
 *
 * Profile the processing run, worker and embedded MongoDB server both:
 *   BENCH_ONLY=processing BENCH_CONCURRENCIES=10 BENCH_JOBS=10000 \
 *   BENCH_MONGO_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof/mongo" \
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof/worker --import tsx bench/run.ts
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const CallFrame = z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() });
const Profile = z.object({
  nodes: z.array(z.object({ id: z.number(), callFrame: CallFrame })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** `node_modules/.pnpm/<package@version>/...` → the package; a project file → its path; else the frame's own name. */
function ownerOf(url: string, functionName: string): string {
  const pkg = /node_modules\/\.pnpm\/([^/]+)\//.exec(url);
  if (pkg) return pkg[1];
  const root = process.cwd() + '/';
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(root)) return path.slice(root.length);
  return url || functionName;
}

function top(counts: Map<string, number>, total: number, limit: number): string[] {
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, micros]) => `| ${((micros / total) * 100).toFixed(1)}% | \`${name}\` |`);
}

function main(): void {
  const file = process.argv[2];
  const limit = Number(process.argv[3] ?? 20);
  if (!file) {
    process.stderr.write('usage: pnpm bench:profile-summary <file.cpuprofile> [rows]\n');
    process.exit(2);
  }
  const profile = Profile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i] ?? 0;
    const frame = frames.get(id);
    if (!frame) return;
    total += micros;
    const owner = ownerOf(frame.url, frame.functionName);
    const where = frame.url ? `${owner.split('/').pop()}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  });
  const lines = [
    `Profile: ${file} — ${(total / 1000).toFixed(0)} ms sampled`,
    '',
    '| self | package or file |',
    '|---:|---|',
    ...top(byOwner, total, limit),
    '',
    '| self | function |',
    '|---:|---|',
    ...top(byFunction, total, limit),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
