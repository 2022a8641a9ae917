// The one logger of the platform (pino: structured JSON, cheap on the hot path).
// Secrets never go into a log line: the redact list covers every field that could carry one.
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export function createLogger(name: string, level = 'info'): Logger {
  return pino({
    name,
    level,
    base: { svc: name },
    redact: { paths: ['password', 'token', '*.password', '*.token', 'authorization'], censor: '[redacted]' },
  });
}

/** A logger that drops everything, for tests and tools that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
