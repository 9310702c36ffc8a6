import assert from 'node:assert/strict';
import { backoffDelay } from '../../../src/util/backoff.js';
import { Outbox } from '../../../src/monitor/outbox.js';

describe('report outbox', () => {
  it('keeps only the latest state per key, in the order of the latest puts', () => {
    const box = new Outbox<string>(10);
    box.put('host:a', 'a down');
    box.put('host:b', 'b down');
    assert.deepEqual(box.put('host:a', 'a up'), { superseded: 'a down' });
    assert.deepEqual(
      box.batch(10).map((e) => e.value),
      ['b down', 'a up'],
    );
  });

  it('acks only the version that was sent', () => {
    const box = new Outbox<string>(10);
    box.put('host:a', 'a down');
    const sent = box.batch(10);
    box.put('host:a', 'a up'); // arrived while the request was in flight
    box.ack(sent);
    assert.deepEqual(
      box.batch(10).map((e) => e.value),
      ['a up'],
    );
    box.ack(box.batch(10));
    assert.equal(box.size, 0);
  });

  it('is bounded: evicts expendable entries first, then the oldest', () => {
    const box = new Outbox<string>(3, (k) => k.startsWith('heartbeat:'));
    box.put('host:a', 'a');
    box.put('heartbeat:self', 'hb');
    box.put('host:b', 'b');
    assert.equal(box.put('host:c', 'c').evicted?.key, 'heartbeat:self');
    assert.equal(box.put('host:d', 'd').evicted?.key, 'host:a');
    assert.equal(box.size, 3);
    assert.deepEqual(
      box.batch(2).map((e) => e.key),
      ['host:b', 'host:c'],
    );
    assert.throws(() => new Outbox(0), /capacity must be a positive integer/);
  });
});

describe('backoff', () => {
  it('grows exponentially up to the cap, with jitter in the upper half', () => {
    assert.equal(
      backoffDelay(1, 50, 2000, () => 0),
      25,
    );
    assert.equal(
      backoffDelay(1, 50, 2000, () => 1),
      50,
    );
    assert.equal(
      backoffDelay(3, 50, 2000, () => 1),
      200,
    );
    assert.equal(
      backoffDelay(20, 50, 2000, () => 1),
      2000,
    );
    assert.equal(
      backoffDelay(20, 50, 2000, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(1000, 50, 2000, () => 0.5),
      1500,
      'huge attempt counts do not overflow',
    );
  });
});
