// A small JSON-lines logger for the monitor, which runs on every node and must stay small: winston costs
// it some 17 MB of memory. It writes the same lines as the operator's winston logger (`logger.ts`): one
// JSON object per line with the keys sorted, `component`, `level`, `message` and an ISO `timestamp`
// beside the metadata, debug and info on stdout, warn and error on stderr, and the same level names.
import type { LogLevel } from './log-level.js';

/** What components need from a logger; the operator's winston logger has the same methods. */
export interface LevelLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface LineOutput {
  write(line: string): unknown;
}

const severity: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export function createJsonLinesLogger(
  component: string,
  level: LogLevel = 'info',
  stdout: LineOutput = process.stdout,
  stderr: LineOutput = process.stderr,
): LevelLogger {
  const limit = severity[level];
  const at = (lineLevel: LogLevel, out: LineOutput) =>
    severity[lineLevel] > limit
      ? () => {}
      : (message: string, meta?: Record<string, unknown>): void => {
          const record = {
            component,
            ...meta,
            level: lineLevel,
            message,
            timestamp: new Date().toISOString(),
          };
          out.write(`${JSON.stringify(sortedForJson(record, []))}\n`);
        };
  return {
    debug: at('debug', stdout),
    info: at('info', stdout),
    warn: at('warn', stderr),
    error: at('error', stderr),
  };
}

/**
 * A copy of `value` that JSON.stringify writes as winston does: object keys sorted at every depth, a
 * bigint as its decimal text, a reference back to an enclosing object as "[Circular]".
 */
export function sortedForJson(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return sortedForJson(toJSON.call(value) as unknown, ancestors);
  if (ancestors.includes(value)) return '[Circular]';
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item: unknown) => sortedForJson(item, inner));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    out[key] = sortedForJson((value as Record<string, unknown>)[key], inner);
  }
  return out;
}
