import assert from 'node:assert/strict';
import { createJsonLinesLogger, type LineOutput } from '../../../src/observability/json-lines-logger.js';
import { createLogger } from '../../../src/observability/logger.js';

interface Captured {
  stdout: string[];
  stderr: string[];
}

function capture(): Captured & { out: LineOutput; err: LineOutput } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: { write: (line: string) => stdout.push(line) },
    err: { write: (line: string) => stderr.push(line) },
  };
}

/** What the operator's winston logger writes for the same calls, from process.stdout/stderr. */
function winstonLines(level: 'debug' | 'info', log: (l: ReturnType<typeof createLogger>) => void): Captured {
  const got: Captured = { stdout: [], stderr: [] };
  const originals = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  process.stdout.write = (line: string) => got.stdout.push(line) > 0;
  process.stderr.write = (line: string) => got.stderr.push(line) > 0;
  try {
    log(createLogger('monitor', level));
  } finally {
    process.stdout.write = originals.out;
    process.stderr.write = originals.err;
  }
  return got;
}

const timestamp = /"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/;
const sameTime = (lines: string[]): string[] => lines.map((l) => l.replace(timestamp, '"timestamp":"T"'));

describe('JSON-lines logger', () => {
  it('writes the same lines, byte for byte but the time, as the winston logger', () => {
    const calls = (l: {
      debug: (m: string, meta?: Record<string, unknown>) => void;
      info: (m: string, meta?: Record<string, unknown>) => void;
      warn: (m: string, meta?: Record<string, unknown>) => void;
      error: (m: string, meta?: Record<string, unknown>) => void;
    }): void => {
      l.info('monitor started', {
        node: 'node-1',
        watching: ['node-2=198.18.0.3'],
        intervalMilliseconds: 30,
      });
      l.warn('doctor monitor detected at 1.000000', {
        type: 'compute.host.down',
        zeta: 1,
        alpha: { b: 2, a: [1, 'x'] },
      });
      l.error('inspector rejected reports; dropping them', { status: 400, body: 'bad "quote"\n' });
      l.debug('a debug line');
      l.info('no metadata');
      l.info('odd values', { missing: undefined, nothing: null, big: 10n, when: new Date(0), nan: NaN });
    };
    for (const level of ['info', 'debug'] as const) {
      const ours = capture();
      calls(createJsonLinesLogger('monitor', level, ours.out, ours.err));
      const theirs = winstonLines(level, calls);
      assert.deepEqual(sameTime(ours.stdout), sameTime(theirs.stdout), `stdout at ${level}`);
      assert.deepEqual(sameTime(ours.stderr), sameTime(theirs.stderr), `stderr at ${level}`);
    }
  });

  it('keeps lines at or above its level: debug and info on stdout, warn and error on stderr', () => {
    const c = capture();
    const log = createJsonLinesLogger('monitor', 'warn', c.out, c.err);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(c.stdout, []);
    assert.deepEqual(
      c.stderr.map((l) => (JSON.parse(l) as { message: string }).message),
      ['w', 'e'],
    );
    assert.ok(c.stderr.every((l) => l.endsWith('}\n') && !l.slice(0, -1).includes('\n')));
  });

  it('writes a reference back to an enclosing object as "[Circular]" instead of failing', () => {
    const c = capture();
    const loop: Record<string, unknown> = { name: 'x' };
    loop.self = loop;
    createJsonLinesLogger('monitor', 'info', c.out, c.err).info('loop', { loop });
    const line = JSON.parse(c.stdout[0]!) as { loop: Record<string, unknown> };
    assert.deepEqual(line.loop, { name: 'x', self: '[Circular]' });
  });
});
