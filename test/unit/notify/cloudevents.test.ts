import assert from 'node:assert/strict';
import type { ServerNotificationInput } from '../../../src/notify/aodh.js';
import {
  buildHostCloudEvent,
  buildServerCloudEvent,
  cloudEventTypes,
} from '../../../src/notify/cloudevents.js';
import { notificationId } from '../../../src/notify/notification-id.js';

const input: ServerNotificationInput = {
  kind: 'host.down',
  faultId: 'f1',
  consumer: 'monitoring',
  host: 'compute-1',
  server: { id: 's1', projectId: 'p1' },
  time: '2024-03-01T10:00:00.123Z',
};

describe('CloudEvents notifications', () => {
  it('carries the required CloudEvents 1.0 attributes for a server', () => {
    const event = buildServerCloudEvent(input);
    assert.equal(event.specversion, '1.0');
    assert.equal(event.type, cloudEventTypes.serverError);
    assert.equal(event.source, '/doctor-operator');
    assert.equal(event.subject, 's1');
    assert.equal(event.time, '2024-03-01T10:00:00.123Z');
    assert.equal(event.datacontenttype, 'application/json');
    assert.equal(
      event.id,
      notificationId({
        kind: 'host.down',
        faultId: 'f1',
        consumer: 'monitoring',
        host: 'compute-1',
        serverId: 's1',
      }),
    );
    assert.deepEqual(event.data, {
      host: 'compute-1',
      hostState: 'down',
      faultId: 'f1',
      server: { id: 's1', projectId: 'p1', state: 'error' },
    });
  });

  it('uses the recovery type for a host that is up again', () => {
    const event = buildServerCloudEvent({ ...input, kind: 'host.up' }, '/clusters/a');
    assert.equal(event.type, cloudEventTypes.serverHostUp);
    assert.equal(event.source, '/clusters/a');
    assert.equal(event.data.hostState, 'up');
    assert.notEqual(event.id, buildServerCloudEvent(input).id);
  });

  it('describes a whole host, with a host-level id distinct from any server id', () => {
    const down = buildHostCloudEvent({
      kind: 'host.down',
      faultId: 'f1',
      consumer: 'monitoring',
      host: 'compute-1',
      time: new Date('2024-03-01T10:00:00Z'),
      reason: 'quorum 2/3',
      servers: [{ id: 's1', projectId: 'p1' }],
    });
    assert.equal(down.type, cloudEventTypes.hostDown);
    assert.equal(down.subject, 'compute-1');
    assert.deepEqual(down.data.servers, [{ id: 's1', projectId: 'p1' }]);
    assert.equal(down.data.reason, 'quorum 2/3');
    assert.notEqual(down.id, buildServerCloudEvent(input).id);
    const up = buildHostCloudEvent({
      kind: 'host.up',
      faultId: 'f1',
      consumer: 'monitoring',
      host: 'compute-1',
      time: new Date(),
    });
    assert.equal(up.type, cloudEventTypes.hostUp);
    assert.equal('servers' in up.data, false);
  });
});
