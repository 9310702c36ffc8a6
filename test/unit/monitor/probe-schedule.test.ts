import assert from 'node:assert/strict';
import { parsePingLine } from '../../../src/monitor/ping-output.js';
import { ProbeSchedule } from '../../../src/monitor/probe-schedule.js';

const reply = (seq: number, rtt = 0.1): ReturnType<typeof parsePingLine> => ({
  kind: 'reply',
  seq,
  rttMs: rtt,
});
const noAnswer = (seq: number): ReturnType<typeof parsePingLine> => ({ kind: 'no-answer', seq });

describe('probe schedule', () => {
  it('turns replies into successes and silence into misses at send time + timeout', () => {
    const s = new ProbeSchedule(100, 10, 0);
    assert.deepEqual(s.onLine(reply(1), 0.6), [{ seq: 1, ok: true, sentAt: 0.5, at: 0.6, rttMs: 0.1 }]);
    assert.equal(s.nextDeadline(), 110.5, 'seq 2 leaves ~100 ms after seq 1, times out 10 ms later');
    assert.deepEqual(s.onTimer(110), []);
    const misses = s.onTimer(111);
    assert.deepEqual(misses, [{ seq: 2, ok: false, sentAt: 100.5, at: 111 }]);
  });

  it('learns the real cadence from replies and no-answer lines', () => {
    const s = new ProbeSchedule(100, 10, 0);
    // iputils sends every ~104 ms instead of 100.
    for (let seq = 1; seq <= 30; seq++) s.onLine(reply(seq), (seq - 1) * 104 + 0.2);
    assert.ok(Math.abs(s.cadenceMs - 104) < 0.5, `cadence ${s.cadenceMs}`);
    assert.ok(s.cadenceSamples >= 20);
    // "no answer yet for 31" is printed when 32 is sent: the anchor follows it.
    s.onLine(noAnswer(31), 31 * 104);
    assert.ok(Math.abs(s.sendTime(32) - 31 * 104) < 1e-9);
  });

  it('counts earlier unanswered probes as lost when a later reply arrives (FIFO path)', () => {
    const s = new ProbeSchedule(100, 150, 0);
    s.onLine(reply(1), 0.2);
    const out = s.onLine(reply(3), 200.2);
    assert.deepEqual(
      out.map((o) => [o.seq, o.ok]),
      [
        [2, false],
        [3, true],
      ],
    );
  });

  it('reports a reply after its deadline as a late success', () => {
    const s = new ProbeSchedule(100, 10, 0);
    s.onLine(reply(1), 0.2);
    assert.equal(s.onTimer(200).length, 1, 'seq 2 missed');
    const late = s.onLine(reply(2, 150), 250.1);
    assert.equal(late.length, 1);
    assert.equal(late[0]?.ok, true);
    assert.equal(late[0]?.late, true);
  });

  it('settles a probe at once on an ICMP error for it', () => {
    const s = new ProbeSchedule(100, 10, 0);
    s.onLine(reply(1), 0.2);
    const out = s.onLine({ kind: 'error', seq: 3, message: 'Destination Host Unreachable' }, 205);
    assert.deepEqual(
      out.map((o) => [o.seq, o.ok]),
      [
        [2, false],
        [3, false],
      ],
    );
  });

  it('unwraps the 16-bit icmp_seq', () => {
    const s = new ProbeSchedule(10, 5, 0);
    s.onLine(reply(65535), 655340);
    const out = s.onLine(reply(0), 655350);
    assert.deepEqual(
      out.map((o) => o.seq),
      [65536],
    );
  });

  it('gives ping time to start before the first deadline, and bounds a huge backlog', () => {
    const s = new ProbeSchedule(100, 10, 0, 50);
    assert.equal(s.nextDeadline(), 60);
    s.onLine(reply(1), 0.3);
    assert.equal(s.nextDeadline(), 100.2 + 10);
    assert.equal(s.onTimer(1e9).length, 1000, 'a suspended process does not emit millions of misses');
  });

  it('records when ping last printed a meaningful line', () => {
    const s = new ProbeSchedule(100, 10, 5);
    assert.equal(s.lastLineAt, 5);
    s.onLine({ kind: 'other' }, 7);
    assert.equal(s.lastLineAt, 5, 'the banner says nothing about probing');
    s.onLine(noAnswer(1), 105);
    assert.equal(s.lastLineAt, 105);
  });
});

describe('probe schedule with a jittery sender', () => {
  it('learns how late sends come', () => {
    const s = new ProbeSchedule(100, 10, 0);
    // ping -l 2 alternates ~104 and ~96 ms between sends: 100 ms on average.
    let t = 0;
    for (let seq = 1; seq <= 60; seq++) {
      s.onLine(reply(seq, 0.1), t + 0.1);
      t += seq % 2 ? 104 : 96;
    }
    assert.ok(Math.abs(s.cadenceMs - 100) < 2, `cadence ${s.cadenceMs}`);
    assert.ok(s.lateAllowanceMs > 2 && s.lateAllowanceMs < 10, `allowance ${s.lateAllowanceMs}`);
    const sent = s.sendTime(61);
    assert.equal(s.nextDeadline(), sent + 10, 'a 10 ms timeout already covers the jitter');
    // A probe sent 4 ms later than estimated and answered at once is not a miss.
    assert.deepEqual(s.onTimer(sent + 4 + 0.2), []);
    assert.equal(s.onLine(reply(61, 0.1), sent + 4 + 0.2)[0]?.ok, true);
  });

  it('stretches a timeout shorter than the send jitter', () => {
    const s = new ProbeSchedule(100, 1, 0);
    let t = 0;
    for (let seq = 1; seq <= 60; seq++) {
      s.onLine(reply(seq, 0.1), t + 0.1);
      t += seq % 2 ? 104 : 96;
    }
    const sent = s.sendTime(61);
    assert.ok(s.nextDeadline() >= sent + s.lateAllowanceMs + 2 - 1e-9);
    assert.deepEqual(s.onTimer(sent + 4 + 0.2), [], 'a 4 ms late send is not a miss with a 1 ms timeout');
  });

  it('keeps the allowance at zero for a steady sender', () => {
    const s = new ProbeSchedule(20, 5, 0);
    for (let seq = 1; seq <= 50; seq++) s.onLine(reply(seq, 0.05), (seq - 1) * 20 + 0.05);
    assert.ok(s.lateAllowanceMs < 0.01);
    assert.ok(Math.abs(s.nextDeadline() - (50 * 20 + 5)) < 0.01);
  });
});
