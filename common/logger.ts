import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Paths that may hold secrets; pino replaces them with "[redacted]" wherever they appear in a log line. */
const REDACT = [
  'password',
  '*.password',
  'pass',
  '*.pass',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'smtpPassword',
  '*.smtpPassword',
  'auth',
  '*.auth',
];

/**
 * createLogger returns the JSON logger every service uses, named after the service.
 * Level from `LOG_LEVEL` (default info); secrets are redacted by key.
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({
    name,
    level: level as LevelWithSilent,
    base: { service: name },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
