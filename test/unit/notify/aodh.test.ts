import assert from 'node:assert/strict';
import { buildAodhAlarm, ceilometerTime, type ServerNotificationInput } from '../../../src/notify/aodh.js';

const down: ServerNotificationInput = {
  kind: 'host.down',
  faultId: 'fault-1',
  consumer: 'vnfm',
  host: 'compute-3',
  server: { id: 'a1b2c3d4-0000-4000-8000-000000000001', projectId: 'proj-1' },
  time: new Date('2017-05-08T13:50:39.710Z'),
  reason: 'doctor: host down',
};

describe('Aodh alarm payload', () => {
  it('has exactly the field set Doctor consumers parse', () => {
    const alarm = buildAodhAlarm(down);
    assert.deepEqual(Object.keys(alarm).sort(), [
      'alarm_id',
      'alarm_name',
      'current',
      'previous',
      'reason',
      'reason_data',
      'severity',
    ]);
    assert.equal(alarm.previous, 'ok');
    assert.equal(alarm.current, 'alarm');
    assert.equal(alarm.severity, 'critical');
    assert.equal(alarm.reason_data.type, 'event');
    const event = alarm.reason_data.event;
    assert.deepEqual(Object.keys(event).sort(), ['event_type', 'generated', 'message_id', 'raw', 'traits']);
    assert.equal(event.event_type, 'compute.instance.update');
    assert.equal(event.generated, '2017-05-08T13:50:39.710000');
    assert.deepEqual(event.traits, [
      ['state', 1, 'error'],
      ['instance_id', 1, 'a1b2c3d4-0000-4000-8000-000000000001'],
      ['host', 1, 'compute-3'],
      ['tenant_id', 1, 'proj-1'],
    ]);
    assert.deepEqual(event.raw, {});
    assert.match(alarm.reason, /compute-3 is down \(doctor: host down\)/);
    assert.match(event.message_id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('survives a JSON round trip unchanged', () => {
    const alarm = buildAodhAlarm(down);
    assert.deepEqual(JSON.parse(JSON.stringify(alarm)), alarm);
  });

  it('takes "insufficient data" as the previous state when asked', () => {
    assert.equal(buildAodhAlarm({ ...down, previous: 'insufficient data' }).previous, 'insufficient data');
  });

  it('reports recovery as alarm -> ok with its own message id and the same alarm', () => {
    const up = buildAodhAlarm({ ...down, kind: 'host.up', reason: 'healthy for 30 s' });
    const alarm = buildAodhAlarm(down);
    assert.equal(up.previous, 'alarm');
    assert.equal(up.current, 'ok');
    assert.match(up.reason, /compute-3 is up again/);
    assert.equal(up.alarm_id, alarm.alarm_id);
    assert.equal(up.alarm_name, alarm.alarm_name);
    assert.notEqual(up.reason_data.event.message_id, alarm.reason_data.event.message_id);
  });

  it('keeps the message id stable per fault, consumer, server and kind', () => {
    const id = (input: ServerNotificationInput) => buildAodhAlarm(input).reason_data.event.message_id;
    assert.equal(id(down), id({ ...down, time: new Date(), reason: 'other words' }));
    assert.notEqual(id(down), id({ ...down, faultId: 'fault-2' }));
    assert.notEqual(id(down), id({ ...down, consumer: 'monitoring' }));
    assert.notEqual(id(down), id({ ...down, server: { ...down.server, id: 'other' } }));
    // The alarm itself lasts across faults.
    assert.equal(buildAodhAlarm({ ...down, faultId: 'fault-2' }).alarm_id, buildAodhAlarm(down).alarm_id);
  });

  it('formats times like Ceilometer and refuses invalid ones', () => {
    assert.equal(ceilometerTime('2020-02-03T04:05:06.007Z'), '2020-02-03T04:05:06.007000');
    // Formatted again from the remembered last one, and a different time is not mixed up with it.
    assert.equal(ceilometerTime('2020-02-03T04:05:06.007Z'), '2020-02-03T04:05:06.007000');
    assert.equal(ceilometerTime('2020-02-03T04:05:07Z'), '2020-02-03T04:05:07.000000');
    assert.equal(ceilometerTime(new Date('2020-02-03T04:05:06.007Z')), '2020-02-03T04:05:06.007000');
    assert.throws(() => ceilometerTime('yesterday'), RangeError);
  });
});
