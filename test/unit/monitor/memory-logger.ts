// A winston logger that keeps its lines in memory, so tests can assert on what was logged.
import { Writable } from 'node:stream';
import winston from 'winston';

export interface MemoryLogger {
  logger: winston.Logger;
  lines: Array<Record<string, unknown>>;
}

export function memoryLogger(): MemoryLogger {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}
