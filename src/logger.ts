/** Structured logs: one JSON line per event, with stable field names, written synchronously to stdout. */
import pino, { type DestinationStream, type Logger } from 'pino';
import { SERVICE, type LogLevel } from './config.ts';

export type { Logger } from 'pino';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: SERVICE.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Synchronous writes: a line logged just before exit (a fatal error, the end of a shutdown) is not lost.
    destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
