// One authenticated reporter is one observer: the body's observer and monitor names cannot multiply it,
// and what only a host can say about itself cannot be said about another host.
import assert from 'node:assert/strict';
import type { HostEvent } from '../../../src/api/events.js';
import { attributeEvents } from '../../../src/intake/attribution.js';
import { createCorrelationEngine } from '../../../src/inspector/engine.js';
import { down, engineConfig, heartbeat, isolated, kinds, nicDown, t0 } from './events-fixture.js';

/** Node A's heartbeat as the reported attack sent it: no observer, a made-up monitor name, C down. */
function forgedHeartbeat(monitor: string): HostEvent {
  const event = heartbeat('A', { C: 'down', B: 'up' }, t0 + 10);
  delete event.details.observer;
  event.details.monitor = monitor;
  event.details.monitor_event_id = monitor;
  event.id = `forged-${monitor}`;
  return event;
}

describe('inspector attribution of reports to their authenticated observer', function () {
  const hosts = ['A', 'B', 'C'];
  /** B watches C and says it is up: two observers of C exist, so quorum 2 is not capped to 1. */
  function engineWithB() {
    const engine = createCorrelationEngine(engineConfig(hosts));
    const fromB = attributeEvents([heartbeat('B', { C: 'up', A: 'up' }, t0)], 'B');
    assert.ok(fromB.ok);
    engine.observe(fromB.events, t0);
    return engine;
  }

  it('without attribution two monitor names from one node meet quorum 2 (the attack is real)', function () {
    const engine = engineWithB();
    const decisions = engine.observe([forgedHeartbeat('x1'), forgedHeartbeat('x2')], t0 + 10);
    assert.ok(kinds(decisions).includes('hostDown:C'), JSON.stringify(kinds(decisions)));
  });

  it("counts node A's token once, whatever monitor names its heartbeats carry", function () {
    const engine = engineWithB();
    const attributed = attributeEvents([forgedHeartbeat('x1'), forgedHeartbeat('x2')], 'A');
    assert.ok(attributed.ok);
    const decisions = engine.observe(attributed.events, t0 + 10);
    assert.ok(!kinds(decisions).includes('hostDown:C'), JSON.stringify(kinds(decisions)));
    assert.notEqual(engine.snapshot('C')?.state, 'Down');
    assert.deepEqual(
      attributed.events.map((e) => e.details.observer),
      ['A', 'A'],
    );
  });

  it('still lets two real observers meet the quorum', function () {
    const engine = engineWithB();
    const fromA = attributeEvents([down('C', 'A', t0 + 5)], 'A');
    const fromB = attributeEvents([down('C', 'B', t0 + 5)], 'B');
    assert.ok(fromA.ok && fromB.ok);
    assert.ok(!kinds(engine.observe(fromA.events, t0 + 5)).includes('hostDown:C'));
    const decisions = engine.observe(fromB.events, t0 + 6);
    assert.ok(kinds(decisions).includes('hostDown:C'), JSON.stringify(kinds(decisions)));
  });

  it('refuses a body naming another observer, naming the event', function () {
    const result = attributeEvents([down('C', 'A', t0), down('C', 'B', t0)], 'A');
    assert.ok(!result.ok);
    assert.match(result.error, /events\[1\]\.details\.observer: "B" is not this reporter's observer "A"/);
  });

  it('refuses link, isolation and heartbeat reports about any host but the reporter', function () {
    for (const event of [nicDown('C', 'eth0', t0, undefined), isolated('C', t0), heartbeat('C', {}, t0)]) {
      delete event.details.observer;
      const result = attributeEvents([event], 'A');
      assert.ok(!result.ok, event.type);
      assert.match(result.error, /events\[0\]\.details\.hostname: .* only be about the reporter itself/);
      assert.ok(attributeEvents([{ ...event, details: { ...event.details, hostname: 'A' } }], 'A').ok);
    }
  });

  it('leaves reports as they are without authentication (each names its own observer)', function () {
    const events = [forgedHeartbeat('x1')];
    const result = attributeEvents(events, undefined);
    assert.ok(result.ok);
    assert.equal(result.events, events);
  });

  it('does not change the events it was given', function () {
    const event = down('C', 'A', t0);
    delete event.details.observer;
    const result = attributeEvents([event], 'A');
    assert.ok(result.ok);
    assert.equal(event.details.observer, undefined);
    assert.equal(result.events[0]!.details.observer, 'A');
  });
});
