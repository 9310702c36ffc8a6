import assert from 'node:assert/strict';
import type { ServerNotificationInput } from '../../../src/notify/aodh.js';
import { prepareHostNotification, prepareServerNotification } from '../../../src/notify/notification.js';

const input: ServerNotificationInput = {
  kind: 'host.down',
  faultId: 'f1',
  consumer: 'vnfm',
  host: 'h1',
  server: { id: 's1', projectId: 'p1' },
  time: new Date('2024-01-01T00:00:00Z'),
};

describe('prepared notifications', () => {
  it('puts the Aodh message id in front and sends application/json', () => {
    const prepared = prepareServerNotification('aodh', input);
    const body = JSON.parse(prepared.body) as { reason_data: { event: { message_id: string } } };
    assert.equal(prepared.id, body.reason_data.event.message_id);
    assert.equal(prepared.contentType, 'application/json');
  });

  it('uses the CloudEvents id and structured media type', () => {
    const prepared = prepareServerNotification('cloudevents', input);
    const body = JSON.parse(prepared.body) as { id: string; specversion: string };
    assert.equal(prepared.id, body.id);
    assert.equal(body.specversion, '1.0');
    assert.match(prepared.contentType, /^application\/cloudevents\+json/);
    const host = prepareHostNotification({
      kind: 'host.down',
      faultId: 'f1',
      consumer: 'vnfm',
      host: 'h1',
      time: new Date(),
    });
    assert.equal(host.id, (JSON.parse(host.body) as { id: string }).id);
  });

  it('produces the same id for a retry but a new body time does not change it', () => {
    const first = prepareServerNotification('aodh', input);
    const again = prepareServerNotification('aodh', { ...input, time: new Date('2024-01-01T00:00:05Z') });
    assert.equal(first.id, again.id);
  });
});
