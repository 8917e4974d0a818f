// Structured logs (pino). Personal data never goes in: callers log ids and codes, not payloads.
import { pino, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.HALL_LOG_LEVEL ?? 'info';
  return options.destination ? pino({ level, base: null }, options.destination) : pino({ level, base: null }, pino.destination(2));
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
