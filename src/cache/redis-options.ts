import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import type { QueueConfig } from '../config/queue-config';
import { ConfigError } from '../errors';

export type RedisConnectionConfig = QueueConfig['redis'];

/** A PEM file the TLS settings name; unreadable is a configuration error naming the setting and the file. */
function pem(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const problem = `redis.tls.${setting}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    throw new ConfigError(`${problem}: give the path of a readable PEM file`, [problem]);
  }
}

/** Node's TLS options for the configured Redis TLS; undefined when TLS is off. Without caFile the system's CAs verify the server. */
function tlsOptions(tls: RedisConnectionConfig['tls']): ConnectionOptions | undefined {
  if (tls === undefined) return undefined;
  return {
    ...(tls.caFile === undefined ? {} : { ca: pem('caFile', tls.caFile) }),
    ...(tls.certFile === undefined ? {} : { cert: pem('certFile', tls.certFile) }),
    ...(tls.keyFile === undefined ? {} : { key: pem('keyFile', tls.keyFile) }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  };
}

/**
 * Where and how to connect to Redis, as ioredis options: host, port, ACL username and password,
 * logical database and TLS (certificate files read here, once per client). Every Redis client
 * of the queue is built from these; topology options (Sentinel, Cluster) build on the same.
 */
export function redisConnectionOptions(config: RedisConnectionConfig): RedisOptions {
  const tls = tlsOptions(config.tls);
  return {
    host: config.host,
    port: config.port,
    ...(config.username === undefined ? {} : { username: config.username }),
    password: config.password,
    db: config.db,
    ...(tls === undefined ? {} : { tls }),
  };
}
