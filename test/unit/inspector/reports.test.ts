import assert from 'node:assert/strict';
import {
  applyIsolation,
  applyNic,
  applyVerdict,
  supersedes,
  type IsolationRecord,
  type NicRecord,
  type VerdictRecord,
} from '../../../src/inspector/reports.js';

describe('inspector latest reports', function () {
  it('orders by event time, then event id', function () {
    assert.equal(supersedes({ eventTime: 2, eventId: 'a' }, { eventTime: 1, eventId: 'z' }), true);
    assert.equal(supersedes({ eventTime: 1, eventId: 'z' }, { eventTime: 2, eventId: 'a' }), false);
    assert.equal(supersedes({ eventTime: 1, eventId: 'b' }, { eventTime: 1, eventId: 'a' }), true);
    assert.equal(supersedes({ eventTime: 1, eventId: 'a' }, { eventTime: 1, eventId: 'a' }), false);
    assert.equal(supersedes({ eventTime: 1, eventId: 'a' }, undefined), true);
  });

  it('keeps when a verdict began and when it was last repeated', function () {
    const verdicts = new Map<string, VerdictRecord>();
    assert.equal(
      applyVerdict(verdicts, {
        observer: 'a',
        verdict: 'down',
        eventTime: 10,
        eventId: '1',
        receivedAt: 100,
        rttMilliseconds: 2,
      }),
      true,
    );
    assert.equal(
      applyVerdict(verdicts, {
        observer: 'a',
        verdict: 'down',
        eventTime: 20,
        eventId: '2',
        receivedAt: 200,
      }),
      true,
    );
    assert.deepEqual(verdicts.get('a'), {
      observer: 'a',
      verdict: 'down',
      eventTime: 20,
      eventId: '2',
      sinceEventTime: 10,
      sinceReceivedAt: 100,
      assertedAt: 200,
      rttMilliseconds: 2,
    });
    assert.equal(
      applyVerdict(verdicts, { observer: 'a', verdict: 'up', eventTime: 30, eventId: '3', receivedAt: 300 }),
      true,
    );
    assert.equal(verdicts.get('a')?.sinceEventTime, 30);
    assert.equal(verdicts.get('a')?.rttMilliseconds, undefined);
  });

  it('ignores duplicates and older reports, in any arrival order', function () {
    const verdicts = new Map<string, VerdictRecord>();
    applyVerdict(verdicts, { observer: 'a', verdict: 'up', eventTime: 30, eventId: '3', receivedAt: 300 });
    assert.equal(
      applyVerdict(verdicts, { observer: 'a', verdict: 'up', eventTime: 30, eventId: '3', receivedAt: 400 }),
      false,
    );
    assert.equal(
      applyVerdict(verdicts, {
        observer: 'a',
        verdict: 'down',
        eventTime: 10,
        eventId: '1',
        receivedAt: 500,
      }),
      false,
    );
    assert.equal(verdicts.get('a')?.assertedAt, 300);
  });

  it('tracks each NIC and each observer isolation the same way', function () {
    const nics = new Map<string, NicRecord>();
    applyNic(nics, {
      interface: 'eth1',
      down: true,
      reporter: 'x',
      eventTime: 5,
      eventId: 'n1',
      receivedAt: 50,
    });
    assert.equal(
      applyNic(nics, {
        interface: 'eth1',
        down: false,
        reporter: 'x',
        eventTime: 4,
        eventId: 'n0',
        receivedAt: 60,
      }),
      false,
    );
    assert.equal(nics.get('eth1')?.down, true);
    const isolation = new Map<string, IsolationRecord>();
    applyIsolation(isolation, 'a', { isolated: true, eventTime: 2, eventId: 'i' });
    assert.equal(applyIsolation(isolation, 'a', { isolated: false, eventTime: 1, eventId: 'c' }), false);
    assert.equal(isolation.get('a')?.isolated, true);
  });
});
