import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  alarmId,
  maxRememberedAlarmIds,
  notificationId,
  rememberedAlarmIds,
  uuidV5,
} from '../../../src/notify/notification-id.js';

describe('stable notification ids', () => {
  it('implements RFC 4122 version 5 (published DNS-namespace vector)', () => {
    const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
    assert.equal(uuidV5('www.example.com', dns), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives the same id for the same key and different ids for different keys (property)', () => {
    const key = fc.record({
      kind: fc.constantFrom('host.down' as const, 'host.up' as const),
      faultId: fc.string(),
      consumer: fc.string(),
      host: fc.string(),
      serverId: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(key, key, (a, b) => {
        assert.equal(notificationId(a), notificationId({ ...a }));
        const same =
          a.kind === b.kind &&
          a.faultId === b.faultId &&
          a.consumer === b.consumer &&
          a.host === b.host &&
          (a.serverId ?? '') === (b.serverId ?? '');
        assert.equal(notificationId(a) === notificationId(b), same);
      }),
    );
  });

  it('does not confuse parts that contain separators', () => {
    const a = notificationId({ kind: 'host.down', faultId: 'a/b', consumer: 'c', host: 'h' });
    const b = notificationId({ kind: 'host.down', faultId: 'a', consumer: 'b/c', host: 'h' });
    assert.notEqual(a, b);
  });

  it('keeps an alarm id per consumer and server', () => {
    assert.equal(alarmId('vnfm', 's1'), alarmId('vnfm', 's1'));
    assert.notEqual(alarmId('vnfm', 's1'), alarmId('vnfm', 's2'));
    assert.notEqual(alarmId('vnfm', 's1'), alarmId('other', 's1'));
  });

  it('remembers alarm ids up to a bound, and computes the same id after forgetting', () => {
    const first = alarmId('vnfm', 'server-0');
    for (let i = 0; i < maxRememberedAlarmIds + 10; i++) alarmId('vnfm', `server-${i}`);
    assert.ok(rememberedAlarmIds() <= maxRememberedAlarmIds);
    assert.equal(alarmId('vnfm', 'server-0'), first);
    assert.equal(first, uuidV5(JSON.stringify(['alarm', 'vnfm', 'server-0'])));
  });
});
