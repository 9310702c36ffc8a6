import assert from 'node:assert/strict';
import { PeerDetector, type ProbeOutcome } from '../../../src/monitor/detector.js';

const ok = (t: number): ProbeOutcome => ({ ok: true, sentAt: t, at: t + 1, rttMs: 0.5 });
const miss = (t: number): ProbeOutcome => ({ ok: false, sentAt: t, at: t + 10 });

describe('peer detector', () => {
  it('starts unknown and reports the first verdict either way', () => {
    const up = new PeerDetector({ failureThreshold: 2, successThreshold: 2 });
    assert.equal(up.verdict, 'unknown');
    assert.equal(up.observe(ok(0)), undefined);
    assert.equal(up.observe(ok(100)), 'up');
    const down = new PeerDetector({ failureThreshold: 2, successThreshold: 2 });
    assert.equal(down.observe(miss(0)), undefined);
    assert.equal(down.observe(miss(100)), 'down');
  });

  it('goes down after failureThreshold consecutive misses only', () => {
    const d = new PeerDetector({ failureThreshold: 3, successThreshold: 1 });
    d.observe(ok(0));
    assert.equal(d.verdict, 'up');
    assert.equal(d.observe(miss(100)), undefined);
    assert.equal(d.observe(miss(200)), undefined);
    assert.equal(d.observe(ok(300)), undefined, 'a reply resets the run of misses');
    assert.equal(d.observe(miss(400)), undefined);
    assert.equal(d.observe(miss(500)), undefined);
    assert.equal(d.missingSince, 400);
    assert.equal(d.observe(miss(600)), 'down');
    assert.equal(d.observe(miss(700)), undefined, 'no repeated transition');
  });

  it('comes back up after successThreshold consecutive replies only', () => {
    const d = new PeerDetector({ failureThreshold: 1, successThreshold: 3 });
    d.observe(miss(0));
    assert.equal(d.verdict, 'down');
    d.observe(ok(100));
    d.observe(ok(200));
    assert.equal(d.observe(miss(300)), undefined, 'a miss resets the run of replies');
    d.observe(ok(400));
    d.observe(ok(500));
    assert.equal(d.observe(ok(600)), 'up');
    assert.equal(d.lastRttMs, 0.5);
  });

  it('forgets its evidence on reset and follows new thresholds', () => {
    const d = new PeerDetector({ failureThreshold: 5, successThreshold: 1 });
    d.observe(ok(0));
    d.observe(miss(100));
    d.reset();
    assert.equal(d.verdict, 'unknown');
    assert.equal(d.misses, 0);
    d.setThresholds({ failureThreshold: 1, successThreshold: 1 });
    assert.equal(d.observe(miss(200)), 'down');
  });
});
