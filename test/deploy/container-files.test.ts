import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parse } from 'yaml';
import { documentedVariables } from '../../src/config/variable-catalog';

const ROOT = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('Dockerfile.worker', () => {
  const dockerfile = DockerfileParser.parse(read('Dockerfile.worker'));
  const instructions = dockerfile.getInstructions();
  const stages = dockerfile.getFROMs();
  const finalStageStart = stages[stages.length - 1].getRange().start.line;
  const finalStage = instructions.filter((i) => i.getRange().start.line >= finalStageStart);
  const args = Object.fromEntries(
    instructions.filter((i) => i.getKeyword() === 'ARG').map((i) => i.getArgumentsContent()!.split('=') as [string, string]),
  );

  it('uses a pinned slim base image, multi-stage, installing with the lockfile', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const from of stages) {
      const image = from.getImageName() === '${NODE_IMAGE}' || from.getArgumentsContent()?.startsWith('${NODE_IMAGE}') ? args.NODE_IMAGE : from.getArgumentsContent()!.split(' ')[0];
      if (!image.includes(':') && !image.includes('@')) continue; // a previous stage
      expect(image).not.toMatch(/:latest$/);
      expect(image).toMatch(/^node:\d+\.\d+\.\d+-\w+-slim$/);
    }
    expect(read('Dockerfile.worker')).toMatch(/pnpm install --frozen-lockfile/);
    expect(read('Dockerfile.worker')).toMatch(/pnpm prune --prod/);
  });

  it('runs the worker as a non-root user, with node (not a package manager) as the command', () => {
    const user = finalStage.filter((i) => i.getKeyword() === 'USER').at(-1);
    expect(user?.getArgumentsContent()).toBe('node');
    const cmd = finalStage.find((i) => i.getKeyword() === 'CMD')!.getArgumentsContent()!;
    const entrypoint = finalStage.find((i) => i.getKeyword() === 'ENTRYPOINT')?.getArgumentsContent() ?? '[]';
    const command = [...(JSON.parse(entrypoint) as string[]), ...(JSON.parse(cmd) as string[])];
    expect(command.filter((c) => !c.includes('tini') && c !== '--')[0]).toBe('node');
    expect(command.join(' ')).not.toMatch(/\b(npm|pnpm|yarn)\b/);
    expect(command).toContain('dist/src/worker/main.js');
  });

  it('stops with SIGTERM and checks health with node against /health/worker (no curl)', () => {
    expect(finalStage.find((i) => i.getKeyword() === 'STOPSIGNAL')?.getArgumentsContent()).toBe('SIGTERM');
    const healthcheck = finalStage.find((i) => i.getKeyword() === 'HEALTHCHECK')!.getArgumentsContent()!;
    expect(healthcheck).toMatch(/CMD \["node"/);
    expect(healthcheck).toContain('/health/worker');
    expect(healthcheck).not.toMatch(/curl/);
  });

  it('keeps the build context small (.dockerignore)', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['node_modules', '.git', '.env', 'dist']) expect(ignored).toContain(entry);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('runs MongoDB as a replica set and Redis with persistence and noeviction, both with health checks', () => {
    expect(compose.services.mongo.command.join(' ')).toMatch(/--replSet rs0/);
    expect(compose.services.mongo.healthcheck.test.join(' ')).toMatch(/rs\.(status|initiate)/);
    expect(compose.services.redis.command.join(' ')).toMatch(/--appendonly yes/);
    expect(compose.services.redis.command.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(compose.services.redis.healthcheck.test.join(' ')).toMatch(/ping/);
  });

  it('starts scalable workers only once MongoDB and Redis are healthy', () => {
    const worker = compose.services.worker;
    expect(worker.depends_on).toEqual({ mongo: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.env_file).toBe('.env');
    expect(worker.build.dockerfile).toBe('Dockerfile.worker');
    expect(compose.services.producer.profiles).toEqual(['demo']);
  });

  it('is driven by scripts in package.json', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['docker:dev:up']).toMatch(/docker compose up/);
    expect(scripts['docker:dev:down']).toMatch(/docker compose down/);
  });
});

describe('.env.example', () => {
  it('documents every variable the worker reads, and nothing else', () => {
    const names = read('.env.example')
      .split('\n')
      .map((line) => /^#?\s?([A-Z][A-Z0-9_]+)=/.exec(line)?.[1])
      .filter((n): n is string => Boolean(n));
    expect(names.sort()).toEqual(documentedVariables().map((v) => v.name).sort());
  });
});
