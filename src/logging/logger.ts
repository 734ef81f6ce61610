import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line (connection strings carry passwords). */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'redis.password',
  'mongodb.uri',
  'mongodb.connectionString',
  'connectionString',
  'uri',
  '*.uri',
  'token',
  '*.token',
  'authorization',
  'headers.authorization',
];

export interface LoggerSettings {
  level?: string;
  name?: string;
}

/** The root logger: JSON lines on stdout, secrets redacted. Components take `logger.child({ component })`. */
export function createLogger(settings: LoggerSettings = {}, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    name: settings.name ?? 'queue',
    level: settings.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A logger that drops everything: for tests and library callers who pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
