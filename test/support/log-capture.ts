import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.ts';
import type { LogLevel } from '../../src/config.ts';

/** A real pino logger whose JSON lines are kept in memory for assertions. */
export function capturedLogger(level: LogLevel = 'info'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger(level, sink);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
