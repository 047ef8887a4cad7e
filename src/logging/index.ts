import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured JSON logs on stdout; secrets never go in fields (tokens are redacted if passed). */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'gongxiang-hub' },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.password', '*.token', '*.secret', '*.accessToken', '*.variables'],
  });
}
