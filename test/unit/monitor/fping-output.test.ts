import assert from 'node:assert/strict';
import { FpingOutputReader, type FpingLineSink } from '../../../src/monitor/fping-output.js';

type Parsed =
  | { kind: 'reply'; address: string; seq: number; rttMs: number }
  | { kind: 'timeout'; address: string; seq: number }
  | { kind: 'other'; line: string };

/** A reader for `addresses` that records what it parses. */
function reader(addresses: string[]): { read: FpingOutputReader; parsed: Parsed[] } {
  const parsed: Parsed[] = [];
  const sink: FpingLineSink = {
    reply: (t, seq, rttMs) => parsed.push({ kind: 'reply', address: addresses[t]!, seq, rttMs }),
    timeout: (t, seq) => parsed.push({ kind: 'timeout', address: addresses[t]!, seq }),
    other: (line) => parsed.push({ kind: 'other', line }),
  };
  return { read: new FpingOutputReader(addresses, sink), parsed };
}

function parseLine(line: string, addresses = ['198.18.0.3', '198.18.99.2', 'fd00::3']): Parsed[] {
  const r = reader(addresses);
  r.read.push(Buffer.from(`${line}\n`, 'latin1'));
  return r.parsed;
}

describe('fping output reader', () => {
  it('parses replies (IPv4, IPv6, sub-ms and coarse times)', () => {
    assert.deepEqual(parseLine('198.18.0.3 : [7], 64 bytes, 0.054 ms (0.061 avg, 0% loss)'), [
      { kind: 'reply', address: '198.18.0.3', seq: 7, rttMs: 0.054 },
    ]);
    assert.deepEqual(parseLine('fd00::3 : [12], 64 bytes, 1012 ms (3.1 avg, 5% loss)'), [
      { kind: 'reply', address: 'fd00::3', seq: 12, rttMs: 1012 },
    ]);
    assert.deepEqual(parseLine('198.18.0.3 : [123456], 64 bytes, 12.5 ms (12.5 avg, 0% loss)'), [
      { kind: 'reply', address: '198.18.0.3', seq: 123456, rttMs: 12.5 },
    ]);
  });

  it('parses a timed-out probe', () => {
    assert.deepEqual(parseLine('198.18.99.2 : [11], timed out (0.077 avg, 8% loss)'), [
      { kind: 'timeout', address: '198.18.99.2', seq: 11 },
    ]);
  });

  it('tells addresses that share a prefix apart', () => {
    assert.deepEqual(parseLine('198.18.0.30 : [1], timed out', ['198.18.0.3', '198.18.0.30']), [
      { kind: 'timeout', address: '198.18.0.30', seq: 1 },
    ]);
  });

  it('parses the lines of an address that fping pads to the length of a longer one', () => {
    // fping aligns its columns: with 198.18.0.10 among the targets, 198.18.0.3 is followed by two spaces.
    const addresses = ['198.18.0.3', '198.18.0.10', 'fd00::3'];
    assert.deepEqual(parseLine('198.18.0.3  : [7], 64 bytes, 0.054 ms (0.061 avg, 0% loss)', addresses), [
      { kind: 'reply', address: '198.18.0.3', seq: 7, rttMs: 0.054 },
    ]);
    assert.deepEqual(parseLine('fd00::3     : [8], timed out (0.061 avg, 11% loss)', addresses), [
      { kind: 'timeout', address: 'fd00::3', seq: 8 },
    ]);
  });

  it('treats errors, notices, unknown addresses and anything else as other', () => {
    for (const line of [
      'ICMP Host Unreachable from 198.18.0.1 for ICMP Echo sent to 198.18.0.3',
      '198.18.0.3: error while sending ping: Network is unreachable',
      '198.18.0.3 : duplicate for [5], 64 bytes, 0.05 ms',
      '198.18.0.3 : [5], 64 bytes, . ms',
      '198.18.0.3 : [5], 64 bytes, 0.05',
      '198.18.0.3 : [5], 64 bytes, 0.05 s',
      '198.18.0.3 : [], timed out',
      '198.18.0.3 : [5] timed out',
      '198.18.0.3 : [5], timed',
      '198.18.0.3 : [99999999999999999999], timed out',
      '198.18.0.3 : [5], 64 bytes, 1234567890123456789 ms',
      '198.18.0.7 : [5], timed out',
      '198.18.0.3',
      'x'.repeat(10_000),
    ]) {
      assert.deepEqual(parseLine(line), [{ kind: 'other', line }], line.slice(0, 80));
    }
  });

  it('joins lines split across chunks, splits chunks holding several lines, skips empty lines', () => {
    const r = reader(['a', 'b']);
    r.read.push(Buffer.from('a : [1], 64 by'));
    assert.deepEqual(r.parsed, []);
    r.read.push(Buffer.from('tes, 0.5 ms\n\nb : [1], timed out\nc'));
    assert.deepEqual(r.parsed, [
      { kind: 'reply', address: 'a', seq: 1, rttMs: 0.5 },
      { kind: 'timeout', address: 'b', seq: 1 },
    ]);
    r.read.push(Buffer.from('\n'));
    assert.deepEqual(r.parsed.at(-1), { kind: 'other', line: 'c' });
  });

  it('keeps an unfinished line even when the chunk it came in is reused', () => {
    const r = reader(['a']);
    const chunk = Buffer.from('a : [3], timed');
    r.read.push(chunk);
    chunk.fill(0x78);
    r.read.push(Buffer.from(' out\n'));
    assert.deepEqual(r.parsed, [{ kind: 'timeout', address: 'a', seq: 3 }]);
  });

  it('drops an unfinished line that grows beyond 4096 characters instead of keeping it', () => {
    const r = reader(['a']);
    r.read.push(Buffer.from('y'.repeat(5000)));
    r.read.push(Buffer.from('end\n'));
    assert.deepEqual(r.parsed, [{ kind: 'other', line: 'end' }]);
  });
});
