import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/config.js';

export type { Logger };

/** Structured JSON logs on stdout (or the given stream), one logger for the process. */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'dialtone' } }, destination ?? process.stdout);
}
