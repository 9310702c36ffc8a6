import assert from 'node:assert/strict';
import type { HostEvent } from '../../../src/api/events.js';
import { parseEvents, parseEventsJson, type ParseEventsResult } from '../../../src/intake/parse-events.js';

// Doctor's exact body, as its sample monitor sends it.
const seedBody =
  '[{"id":"0a2b5c1e-6f5e-4d5a-8a1c-2b0c2f8e6d11","time":"2017-05-08T13:50:39.710436","type":"compute.host.down",' +
  '"details":{"hostname":"compute-1","status":"down","monitor":"sample","monitor_event_id":"1"}}]';

function event(overrides: Record<string, unknown> = {}, details: Record<string, unknown> = {}) {
  return {
    id: 'e1',
    time: '2024-01-01T00:00:00.000001',
    type: 'compute.host.down',
    ...overrides,
    details: { hostname: 'compute-1', status: 'down', monitor: 'doctor', monitor_event_id: '7', ...details },
  };
}

function accepted(result: ParseEventsResult): HostEvent[] {
  if (!result.ok) assert.fail(`expected the body to be accepted, got: ${result.error}`);
  return result.events;
}

function refused(result: ParseEventsResult, status: 400 | 413, message: string | RegExp): void {
  if (result.ok) assert.fail('expected the body to be refused');
  assert.equal(result.status, status);
  if (typeof message === 'string') assert.equal(result.error, message);
  else assert.match(result.error, message);
}

describe('inspector parseEvents', function () {
  describe('body shapes', function () {
    it("accepts the seed's exact body", function () {
      const events = accepted(parseEventsJson(seedBody));
      assert.deepEqual(events, [
        {
          id: '0a2b5c1e-6f5e-4d5a-8a1c-2b0c2f8e6d11',
          time: '2017-05-08T13:50:39.710436',
          type: 'compute.host.down',
          details: { hostname: 'compute-1', status: 'down', monitor: 'sample', monitor_event_id: '1' },
        },
      ]);
    });

    it('accepts {"event": {...}} and {"events": [...]}', function () {
      assert.equal(accepted(parseEvents({ event: event() })).length, 1);
      assert.equal(accepted(parseEvents({ events: [event(), event({ id: 'e2' })] })).length, 2);
    });

    it('accepts an empty list (nothing to do)', function () {
      assert.deepEqual(accepted(parseEvents([])), []);
    });

    it('refuses other shapes, naming what is expected', function () {
      for (const body of [null, 'x', 42, {}, { foo: [] }]) {
        refused(parseEvents(body), 400, /^body: must be a JSON list of events/);
      }
      refused(parseEvents({ events: {} }), 400, 'events: must be a list of events');
      refused(parseEvents({ event: event(), events: [] }), 400, /both "event" and "events"/);
      refused(parseEventsJson('[{'), 400, /^body: not valid JSON/);
    });

    it('names the path of the single-event variant as "event"', function () {
      refused(parseEvents({ event: event({}, { hostname: '' }) }), 400, /^event\.details\.hostname:/);
    });
  });

  describe('limits', function () {
    it('refuses more events than the limit with 413, saying both numbers', function () {
      refused(parseEvents([event(), event(), event()], { maxEvents: 2 }), 413, /3 events .* at most 2/);
      assert.equal(accepted(parseEvents([event(), event()], { maxEvents: 2 })).length, 2);
    });

    it('defaults to 10000 events per body', function () {
      const many = Array.from({ length: 10_001 }, (_, index) => event({ id: `e${index}` }));
      refused(parseEvents(many), 413, /at most 10000/);
    });

    it('refuses overlong names', function () {
      refused(parseEvents([event({}, { hostname: 'h'.repeat(254) })]), 400, /hostname: must be at most 253/);
      refused(parseEvents([event({ id: 'i'.repeat(257) })]), 400, /id: must be at most 256/);
    });
  });

  describe('event fields', function () {
    it('requires an object per event', function () {
      refused(parseEvents([event(), 'x']), 400, /^events\[1\]: must be an object/);
    });

    it('requires a non-empty id', function () {
      refused(parseEvents([event({ id: '' })]), 400, 'events[0].id: must be a non-empty string');
      refused(parseEvents([event({ id: 5 })]), 400, 'events[0].id: must be a non-empty string');
    });

    it('requires an ISO-8601 time', function () {
      for (const time of [undefined, 5, '2024-02-30T00:00:00', 'now']) {
        refused(parseEvents([event({ time })]), 400, /^events\[0\]\.time: must be an ISO-8601 date and time/);
      }
      assert.equal(accepted(parseEvents([event({ time: '2024-01-01T00:00:00+01:00' })])).length, 1);
    });

    it('refuses types outside compute.host.*, listing the known ones', function () {
      refused(
        parseEvents([event({ type: 'compute.hst.down' })]),
        400,
        /^events\[0\]\.type: .*compute\.host\.down/,
      );
      refused(parseEvents([event({ type: '' })]), 400, 'events[0].type: must be a non-empty string');
    });

    it('accepts but leaves out unknown compute.host.* types, with a warning', function () {
      const result = parseEvents([
        event({ type: 'compute.host.rebooted' }, { status: 'x' }),
        event({ id: 'e2' }),
      ]);
      assert.ok(result.ok);
      assert.deepEqual(
        result.events.map((e) => e.id),
        ['e2'],
      );
      assert.deepEqual(result.warnings, [
        'events[0].type: "compute.host.rebooted" is not understood by this inspector; event ignored',
      ]);
    });

    it('still validates the envelope of an unknown compute.host.* type', function () {
      refused(
        parseEvents([event({ type: 'compute.host.rebooted' }, { hostname: 7 })]),
        400,
        /details\.hostname/,
      );
    });
  });

  describe('time bounds', function () {
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    const bounded = { now, maxFutureSkewMs: 5 * 60_000 };

    it('refuses an event time further ahead of the inspector clock than the skew, saying by how much', function () {
      refused(
        parseEvents(
          [event({ time: '2099-01-01T00:00:00Z', type: 'compute.host.nic.down' }, { interface: 'eth0' })],
          bounded,
        ),
        400,
        /^events\[0\]\.time: "2099-01-01T00:00:00Z" is \d+ s ahead of the inspector's clock; at most 300 s/,
      );
      refused(parseEvents([event({ time: '2026-11-30T12:05:01Z' })], bounded), 400, /1 s ahead|301 s ahead/);
    });

    it('accepts times within the skew and any time in the past (monitor clocks differ)', function () {
      assert.equal(accepted(parseEvents([event({ time: '2026-11-30T12:05:00Z' })], bounded)).length, 1);
      assert.equal(accepted(parseEvents([event({ time: '2017-05-08T13:50:39.710436' })], bounded)).length, 1);
    });

    it('refuses times that overflow past year 9999, even without a clock to compare with', function () {
      for (const time of ['9999-12-31T23:59:60Z', '9999-12-31T23:59:59-01:00']) {
        refused(
          parseEvents([event({ time })]),
          400,
          /^events\[0\]\.time: must be an ISO-8601 date and time up to year 9999/,
        );
      }
    });
  });

  describe('details', function () {
    it('requires details to be an object', function () {
      refused(parseEvents([{ ...event(), details: [] }]), 400, 'events[0].details: must be an object');
    });

    it('requires hostname and monitor', function () {
      refused(
        parseEvents([event({}, { hostname: ' ' })]),
        400,
        'events[0].details.hostname: must be a non-empty string',
      );
      refused(
        parseEvents([event({}, { monitor: undefined })]),
        400,
        'events[0].details.monitor: must be a non-empty string',
      );
    });

    it('requires status to agree with the type (case-insensitive, normalised to lower case)', function () {
      refused(
        parseEvents([event({}, { status: 'up' })]),
        400,
        /details\.status: must be "down" for compute\.host\.down/,
      );
      refused(parseEvents([event({ type: 'compute.host.up' }, { status: 'down' })]), 400, /must be "up"/);
      refused(parseEvents([event({}, { status: 3 })]), 400, 'events[0].details.status: must be a string');
      const [parsed] = accepted(parseEvents([event({}, { status: 'DOWN' })]));
      assert.equal(parsed?.details.status, 'down');
    });

    it('accepts monitor_event_id as a string or an integer, stored as a string', function () {
      const [parsed] = accepted(parseEvents([event({}, { monitor_event_id: 12 })]));
      assert.equal(parsed?.details.monitor_event_id, '12');
      refused(
        parseEvents([event({}, { monitor_event_id: undefined })]),
        400,
        /monitor_event_id: must be a string/,
      );
      refused(parseEvents([event({}, { monitor_event_id: 1.5 })]), 400, /monitor_event_id: must be a string/);
    });

    it('validates our optional fields and keeps extra keys', function () {
      const [parsed] = accepted(
        parseEvents([
          event({}, { observer: 'compute-2', address: '198.18.0.2', rtt_ms: 0.25, vendor: { a: 1 } }),
        ]),
      );
      assert.equal(parsed?.details.observer, 'compute-2');
      assert.equal(parsed?.details.rtt_ms, 0.25);
      assert.deepEqual(parsed?.details.vendor, { a: 1 });
      refused(
        parseEvents([event({}, { observer: '' })]),
        400,
        'events[0].details.observer: must be a non-empty string',
      );
      refused(
        parseEvents([event({}, { rtt_ms: -1 })]),
        400,
        /details\.rtt_ms: must be a number of milliseconds/,
      );
      refused(parseEvents([event({}, { rtt_ms: '3' })]), 400, /details\.rtt_ms/);
      const [nulls] = accepted(parseEvents([event({}, { observer: null, rtt_ms: null })]));
      assert.equal('observer' in (nulls?.details ?? {}), false);
      assert.equal('rtt_ms' in (nulls?.details ?? {}), false);
    });

    it('requires the interface of NIC events', function () {
      const nic = { type: 'compute.host.nic.down' };
      refused(
        parseEvents([event(nic)]),
        400,
        'events[0].details.interface: must be a non-empty string for compute.host.nic.down',
      );
      assert.equal(accepted(parseEvents([event(nic, { interface: 'eth1' })])).length, 1);
    });

    it('validates heartbeat peers', function () {
      const heartbeat = { type: 'compute.host.heartbeat' };
      const ok = { status: 'alive', observer: 'compute-1' };
      const [parsed] = accepted(
        parseEvents([event(heartbeat, { ...ok, peers: [{ hostname: 'compute-2', status: 'unknown' }] })]),
      );
      assert.deepEqual(parsed?.details.peers, [{ hostname: 'compute-2', status: 'unknown' }]);
      refused(parseEvents([event(heartbeat, { ...ok, peers: {} })]), 400, /details\.peers: must be a list/);
      refused(
        parseEvents([event(heartbeat, { ...ok, peers: [1] })]),
        400,
        /details\.peers\[0\]: must be an object/,
      );
      refused(
        parseEvents([event(heartbeat, { ...ok, peers: [{ hostname: 'compute-2', status: 'gone' }] })]),
        400,
        'events[0].details.peers[0].status: must be "up", "down" or "unknown"',
      );
      refused(
        parseEvents([event(heartbeat, { ...ok, peers: [{ hostname: '', status: 'up' }] })]),
        400,
        'events[0].details.peers[0].hostname: must be a non-empty string',
      );
    });

    it('names the failing event by its index', function () {
      refused(parseEvents([event(), event({}, { hostname: '' })]), 400, /^events\[1\]\.details\.hostname/);
    });

    it('does not share objects with the input', function () {
      const input = event({}, { observer: 'compute-2' });
      const [parsed] = accepted(parseEvents([input]));
      input.details.hostname = 'changed';
      assert.equal(parsed?.details.hostname, 'compute-1');
    });
  });
});
