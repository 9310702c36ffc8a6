import assert from 'node:assert/strict';
import { doctorTime, EventFactory, supersedeKey } from '../../../src/monitor/report.js';

describe('monitor reports', () => {
  it('formats time as Doctor does: UTC, no zone, microseconds', () => {
    assert.equal(doctorTime(Date.UTC(2017, 4, 8, 13, 50, 39, 710) + 0.436), '2017-05-08T13:50:39.710436');
    assert.equal(doctorTime(Date.UTC(2017, 4, 8, 13, 50, 39, 0)), '2017-05-08T13:50:39.000000');
  });

  it('builds a Doctor event with our detail keys and unique monitor event ids', () => {
    const factory = new EventFactory('node-b', 0);
    const event = factory.fromIntent({
      type: 'compute.host.down',
      hostname: 'node-a',
      status: 'down',
      at: Date.UTC(2017, 4, 8, 13, 50, 39, 710),
      address: '198.18.0.2',
      rttMs: 0.05,
      extra: { missed_probes: 2 },
    });
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.equal(event.time, '2017-05-08T13:50:39.710000');
    assert.equal(event.type, 'compute.host.down');
    assert.deepEqual(event.details, {
      hostname: 'node-a',
      status: 'down',
      monitor: 'doctor-monitor',
      monitor_event_id: 'node-b-0-1',
      observer: 'node-b',
      address: '198.18.0.2',
      rtt_ms: 0.05,
      missed_probes: 2,
    });
    const hb = factory.heartbeat(0, false, [{ hostname: 'node-a', status: 'down' }]);
    assert.equal(hb.type, 'compute.host.heartbeat');
    assert.equal(hb.details.hostname, 'node-b');
    assert.equal(hb.details.status, 'up');
    assert.deepEqual(hb.details.peers, [{ hostname: 'node-a', status: 'down' }]);
    assert.equal(hb.details.monitor_event_id, 'node-b-0-2');
    assert.equal(factory.heartbeat(0, true, []).details.status, 'isolated');
  });

  it('keys reports so that a newer state replaces an older one about the same thing', () => {
    const f = new EventFactory('me', 0);
    const key = (type: string, hostname: string, iface?: string): string =>
      supersedeKey(
        f.fromIntent({
          type: type as 'compute.host.down',
          hostname,
          status: 'x',
          at: 0,
          ...(iface ? { interface: iface } : {}),
        }),
      );
    assert.equal(key('compute.host.down', 'a'), key('compute.host.up', 'a'));
    assert.notEqual(key('compute.host.down', 'a'), key('compute.host.down', 'b'));
    assert.equal(key('compute.host.nic.down', 'me', 'eth0'), key('compute.host.nic.up', 'me', 'eth0'));
    assert.notEqual(key('compute.host.nic.down', 'me', 'eth0'), key('compute.host.nic.down', 'me', 'eth1'));
    assert.equal(key('compute.host.isolated', 'me'), key('compute.host.connected', 'me'));
    assert.notEqual(key('compute.host.isolated', 'me'), key('compute.host.heartbeat', 'me'));
  });
});
