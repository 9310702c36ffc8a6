import assert from 'node:assert/strict';
import { LineSplitter, parsePingLine } from '../../../src/monitor/ping-output.js';

describe('ping output parser', () => {
  it('parses replies (IPv4, IPv6, with a -D timestamp, sub-ms and coarse times)', () => {
    assert.deepEqual(parsePingLine('64 bytes from 198.18.0.3: icmp_seq=7 ttl=64 time=0.054 ms'), {
      kind: 'reply',
      seq: 7,
      rttMs: 0.054,
    });
    assert.deepEqual(parsePingLine('64 bytes from fd00::3: icmp_seq=12 ttl=64 time=1012 ms'), {
      kind: 'reply',
      seq: 12,
      rttMs: 1012,
    });
    assert.deepEqual(
      parsePingLine('[1795567869.162860] 64 bytes from 198.18.0.3: icmp_seq=1 ttl=64 time=1.12 ms'),
      {
        kind: 'reply',
        seq: 1,
        rttMs: 1.12,
      },
    );
  });

  it('recognises duplicates, "no answer yet", ICMP errors and local errors', () => {
    assert.deepEqual(parsePingLine('64 bytes from 198.18.0.3: icmp_seq=7 ttl=64 time=0.05 ms (DUP!)'), {
      kind: 'duplicate',
      seq: 7,
    });
    assert.deepEqual(parsePingLine('no answer yet for icmp_seq=8'), { kind: 'no-answer', seq: 8 });
    assert.deepEqual(parsePingLine('From 198.18.0.2 icmp_seq=30 Destination Host Unreachable'), {
      kind: 'error',
      seq: 30,
      message: 'Destination Host Unreachable',
    });
    assert.deepEqual(parsePingLine('ping: sendmsg: Network is unreachable'), {
      kind: 'error',
      seq: undefined,
      message: 'sendmsg: Network is unreachable',
    });
  });

  it('ignores the banner and the statistics', () => {
    for (const line of [
      'PING 198.18.0.3 (198.18.0.3) 56(84) bytes of data.',
      '--- 198.18.0.3 ping statistics ---',
      '5 packets transmitted, 5 received, 0% packet loss, time 416ms',
      'rtt min/avg/max/mdev = 0.047/0.265/1.120/0.427 ms',
      '',
    ]) {
      assert.deepEqual(parsePingLine(line), { kind: 'other' });
    }
  });

  it('splits a stream into lines across chunk boundaries and bounds an endless line', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('no answer yet for icmp'), []);
    assert.deepEqual(s.push('_seq=1\nno answer yet for icmp_seq=2\n\npartial'), [
      'no answer yet for icmp_seq=1',
      'no answer yet for icmp_seq=2',
    ]);
    assert.deepEqual(s.push(' line\n'), ['partial line']);
    s.push('x'.repeat(5000));
    assert.deepEqual(s.push('tail\n'), ['tail']);
  });
});
