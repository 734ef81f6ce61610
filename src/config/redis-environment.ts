import { ConfigError } from '../errors';
import type { QueueConfigInput } from './queue-config';

/** One family of Redis variables (REDIS_* or QUEUE_REDIS_*), as parsed. */
export interface RedisVariables {
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: boolean;
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsServername?: string;
}

type Settings = Omit<RedisVariables, 'url'>;

/**
 * The parts of a `redis://` or `rediss://` URL: `rediss` turns TLS on, `user:password@` gives the
 * ACL user and password (`:password@` the password alone), the path gives the database (`/2`).
 */
export function parseRedisUrl(url: string, variable: string): Settings {
  const problem = (what: string) => new ConfigError(`${variable}: ${what}`, [`${variable}: ${what}`]);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw problem('is not a URL: give redis://[user:password@]host[:port][/db] or rediss://... for TLS');
  }
  const path = parsed.pathname.replace(/^\/+/, '');
  const db = path === '' ? undefined : Number(path);
  if (db !== undefined && !(Number.isInteger(db) && db >= 0 && db <= 15)) throw problem(`the path "/${path}" must be a database number 0–15`);
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || undefined,
    port: parsed.port ? Number(parsed.port) : undefined,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db,
    tls: parsed.protocol === 'rediss:' ? true : undefined,
  };
}

/** A family's settings: its variables, over the parts of its URL (a rediss:// URL with TLS turned off is refused). */
function familySettings(variables: RedisVariables, urlVariable: string, tlsVariable: string): Settings {
  const { url, ...given } = variables;
  const fromUrl = url ? parseRedisUrl(url, urlVariable) : {};
  if (fromUrl.tls && given.tls === false) {
    const problem = `${urlVariable} is rediss:// (TLS) but ${tlsVariable}=false: a password must not go to Redis in clear by accident; remove one of them`;
    throw new ConfigError(`Invalid environment: ${problem}`, [problem]);
  }
  const merged: Settings = { ...fromUrl };
  for (const [key, value] of Object.entries(given) as Array<[keyof Settings, Settings[keyof Settings]]>) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/**
 * The queue's Redis connection from both families: every QUEUE_REDIS_* setting (or part of
 * QUEUE_REDIS_URL) wins over its REDIS_* counterpart, and within a family an explicit variable
 * wins over its URL. TLS is on with `rediss://`, `*_TLS=true` or a TLS file; the database is
 * QUEUE_REDIS_DB, else a URL's path, else the schema's default (1).
 */
export function redisInput(main: RedisVariables, queue: RedisVariables): NonNullable<QueueConfigInput['redis']> {
  const mainSettings = familySettings(main, 'REDIS_URL', 'REDIS_TLS');
  const queueSettings = familySettings(queue, 'QUEUE_REDIS_URL', 'QUEUE_REDIS_TLS');
  const s: Settings = { ...mainSettings };
  for (const [key, value] of Object.entries(queueSettings) as Array<[keyof Settings, Settings[keyof Settings]]>) {
    if (value !== undefined) (s as Record<string, unknown>)[key] = value;
  }
  const files = { caFile: s.tlsCaFile, certFile: s.tlsCertFile, keyFile: s.tlsKeyFile, servername: s.tlsServername };
  const anyTlsSetting = Object.values(files).some((v) => v !== undefined);
  if (s.tls === false && anyTlsSetting) {
    const problem = 'a Redis TLS file or servername is set while TLS is turned off (REDIS_TLS / QUEUE_REDIS_TLS=false): remove one of them';
    throw new ConfigError(`Invalid environment: ${problem}`, [problem]);
  }
  const tlsOn = s.tls ?? (anyTlsSetting ? true : undefined);
  return {
    host: s.host,
    port: s.port,
    username: s.username,
    password: s.password,
    db: s.db,
    tls: tlsOn ? Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined)) : undefined,
  };
}
