// Our CloudEvents notifications as the official CloudEvents SDK sees them: the HTTP request deliver()
// sends is read back with the SDK's HTTP binding (structured mode) and validated against the 1.0 spec.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudEvent, HTTP } from 'cloudevents';
import { deliver } from '../../../src/notify/deliver.js';
import {
  prepareHostNotification,
  prepareServerNotification,
  type PreparedNotification,
} from '../../../src/notify/notification.js';

interface Captured {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('CloudEvents output, read by the official SDK', function () {
  this.timeout(20_000);
  let server: Server;
  let url: string;
  const captured: Captured[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        captured.push({ headers: req.headers, body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/failure`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function sentThrough(notification: PreparedNotification): Promise<Captured> {
    captured.length = 0;
    const result = await deliver({ url, hmacKey: Buffer.from('k') }, notification, { timeoutMs: 2000 });
    assert.equal(result.ok, true, result.error);
    const [request] = captured;
    assert.ok(request);
    return request;
  }

  function parse(request: Captured): CloudEvent<unknown> {
    const event = HTTP.toEvent({ headers: request.headers, body: request.body });
    assert.ok(!Array.isArray(event), 'one event, not a batch');
    return event as CloudEvent<unknown>;
  }

  const time = new Date('2026-11-30T05:00:00.123Z');
  const serverDown = (n: number) =>
    prepareServerNotification('cloudevents', {
      kind: 'host.down',
      faultId: `fault-${n}`,
      consumer: 'vnfm',
      host: `compute-${n}`,
      server: { id: `srv-${n}`, projectId: 'tenant-a' },
      time,
    });

  it('a server notification is a valid structured-mode CloudEvent', async () => {
    const notification = serverDown(1);
    const request = await sentThrough(notification);
    assert.equal(HTTP.isEvent({ headers: request.headers, body: request.body }), true);
    const event = parse(request);
    assert.equal(event.validate(), true);
    assert.equal(event.specversion, '1.0');
    assert.equal(event.id, notification.id);
    assert.equal(event.type, 'io.doctor.server.error');
    assert.equal(event.source, '/doctor-operator');
    assert.equal(event.subject, 'srv-1');
    assert.equal(event.time, time.toISOString());
    assert.equal(event.datacontenttype, 'application/json');
    assert.deepEqual(event.data, {
      host: 'compute-1',
      hostState: 'down',
      faultId: 'fault-1',
      server: { id: 'srv-1', projectId: 'tenant-a', state: 'error' },
    });
    // The webhook id the signature covers is the event id.
    assert.equal(request.headers['webhook-id'], event.id);
  });

  it('a host notification is a valid structured-mode CloudEvent', async () => {
    const notification = prepareHostNotification({
      kind: 'host.up',
      faultId: 'fault-2',
      consumer: 'vnfm',
      host: 'compute-2',
      time,
      servers: [{ id: 'srv-2', projectId: 'tenant-b' }],
    });
    const event = parse(await sentThrough(notification));
    assert.equal(event.validate(), true);
    assert.equal(event.type, 'io.doctor.host.up');
    assert.equal(event.subject, 'compute-2');
  });

  it('the SDK refuses an event that breaks the spec, so the checks above have teeth', async () => {
    const notification = serverDown(3);
    const request = await sentThrough(notification);
    const broken = JSON.parse(request.body) as Record<string, unknown>;
    delete broken.source;
    const accepted = (body: unknown): boolean => {
      try {
        return parse({ headers: request.headers, body: JSON.stringify(body) }).validate();
      } catch {
        return false;
      }
    };
    assert.equal(accepted({ ...broken, source: '/doctor-operator' }), true);
    assert.equal(accepted(broken), false);
    assert.equal(accepted({ ...broken, source: '/doctor-operator', type: '' }), false);
    assert.equal(accepted({ ...broken, source: '/doctor-operator', specversion: '0.9' }), false);
    assert.equal(accepted({ ...broken, source: '/doctor-operator', subject: 5 }), false);
  });
});
