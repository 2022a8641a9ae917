// The one logger of the platform (pino: structured JSON, cheap on the hot path). On a terminal
// it prints readable lines (pino-pretty, synchronously in-process) unless LOG_FORMAT=json.
// Secrets never go into a log line: the redact list covers every field that could carry one.
import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(name: string, level = 'info', format: LogFormat = 'auto'): Logger {
  const options = {
    name,
    level,
    base: { svc: name },
    redact: { paths: ['password', 'token', '*.password', '*.token', 'authorization'], censor: '[redacted]' },
  };
  const usePretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!usePretty) return pino(options);
  return pino(
    options,
    pretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      ignore: 'pid,hostname,svc',
      translateTime: 'HH:MM:ss',
    }),
  );
}

/** A logger that drops everything, for tests and tools that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
