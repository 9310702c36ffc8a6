import assert from 'node:assert/strict';
import { LineSplitter, parseFpingLine } from '../../../src/monitor/fping-output.js';

describe('fping output parser', () => {
  it('parses replies (IPv4, IPv6, sub-ms and coarse times)', () => {
    assert.deepEqual(parseFpingLine('198.18.0.3 : [7], 64 bytes, 0.054 ms (0.061 avg, 0% loss)'), {
      kind: 'reply',
      address: '198.18.0.3',
      seq: 7,
      rttMs: 0.054,
    });
    assert.deepEqual(parseFpingLine('fd00::3 : [12], 64 bytes, 1012 ms (3.1 avg, 5% loss)'), {
      kind: 'reply',
      address: 'fd00::3',
      seq: 12,
      rttMs: 1012,
    });
  });

  it('parses a timed-out probe', () => {
    assert.deepEqual(parseFpingLine('198.18.99.2 : [11], timed out (0.077 avg, 8% loss)'), {
      kind: 'timeout',
      address: '198.18.99.2',
      seq: 11,
    });
  });

  it('treats errors, notices and anything else as other', () => {
    for (const line of [
      'ICMP Host Unreachable from 198.18.0.1 for ICMP Echo sent to 198.18.0.3',
      '198.18.0.3: error while sending ping: Network is unreachable',
      '198.18.0.3 : duplicate for [5], 64 bytes, 0.05 ms',
      '198.18.0.3 : [5], 64 bytes, . ms',
      '',
      'x'.repeat(10_000),
    ]) {
      assert.deepEqual(parseFpingLine(line), { kind: 'other' }, line.slice(0, 80));
    }
  });
});

describe('line splitter', () => {
  it('joins lines split across chunks and splits chunks holding several lines', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('a : [1], 64 by'), []);
    assert.deepEqual(s.push('tes\nb : [1]\nc'), ['a : [1], 64 bytes', 'b : [1]']);
    assert.deepEqual(s.push('\n'), ['c']);
  });

  it('drops an unfinished line that grows beyond 4096 characters instead of keeping it', () => {
    const s = new LineSplitter();
    s.push('y'.repeat(5000));
    assert.deepEqual(s.push('end\n'), ['end']);
  });
});
