import { ENVIRONMENT_VARIABLES, loadConfig } from '../../src/config/environment';
import { ConfigError } from '../../src/errors';

describe('HTTP settings from the environment', () => {
  const base = { MONGO_URI: 'mongodb://127.0.0.1:27017/queue' };

  it('defaults to port 8080 on loopback only, without the admin API, with a 5 s health snapshot', () => {
    expect(loadConfig(base).http).toEqual({ port: 8080, host: '127.0.0.1', adminTokens: [], healthCheck: true, metrics: true, snapshotMaxAgeMs: 5000 });
    expect(ENVIRONMENT_VARIABLES.map((v) => v.name)).toEqual(expect.arrayContaining(['HTTP_PORT', 'HTTP_HOST', 'ADMIN_TOKENS']));
  });

  it('reads the port (0 turns the server off), the host and the named tokens', () => {
    const config = loadConfig({ ...base, HTTP_PORT: '0', HTTP_HOST: '0.0.0.0', HEALTH_SNAPSHOT_MS: '1000', ADMIN_TOKENS: 'alice:0123456789abcdef,ci-bot:fedcba9876543210xyz,viewer:0123456789viewer:read' });
    expect(config.http).toEqual({
      port: 0,
      host: '0.0.0.0',
      snapshotMaxAgeMs: 1000,
      adminTokens: [
        { name: 'alice', token: '0123456789abcdef', role: 'admin' },
        { name: 'ci-bot', token: 'fedcba9876543210xyz', role: 'admin' },
        { name: 'viewer', token: '0123456789viewer', role: 'read' },
      ],
      healthCheck: true,
      metrics: true,
    });
  });

  it.each([
    ['HTTP_PORT', '70000'],
    ['HTTP_PORT', 'eighty'],
    ['ADMIN_TOKENS', 'alice:short'],
    ['ADMIN_TOKENS', 'alice:0123456789abcdef:owner'],
    ['ADMIN_TOKENS', 'no-name-only-a-token-0123456789'],
    ['ADMIN_TOKENS', 'alice:0123456789abcdef,bob:0123456789abcdef'],
    ['ADMIN_TOKENS', 'alice:0123456789abcdef,alice:fedcba9876543210'],
  ])('refuses %s=%s with a ConfigError that never shows a token', (name, value) => {
    let thrown: unknown;
    try {
      loadConfig({ ...base, [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain(name);
    if (name === 'ADMIN_TOKENS') expect((thrown as Error).message).not.toContain('0123456789abcdef');
  });
});
