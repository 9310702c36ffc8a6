// /events on plain node:http ahead of the express app: it answers what express answered (paths, body
// encodings, size bound while reading), in one socket write, and a throwing sink is a 500, not a crash.
import assert from 'node:assert/strict';
import type { AddressInfo, Socket } from 'node:net';
import type { Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import express from 'express';
import type { HostEvent } from '../../../../src/api/events.js';
import { noAuthentication } from '../../../../src/intake/authenticator.js';
import { createInspectorApp, type EventSink } from '../../../../src/intake/http.js';
import { isEventsPath } from '../../../../src/intake/events-endpoint.js';
import { createLogger } from '../../../../src/observability/logger.js';
import { rawAnswer } from './raw-request.js';

const seed =
  '[{"id":"0a2b","time":"2017-05-08T13:50:39.710436","type":"compute.host.down","details":{"hostname":"compute-1","status":"down","monitor":"sample","monitor_event_id":"1"}}]';

describe('inspector /events on plain node:http', function () {
  let server: Server;
  let base: string;
  let received: HostEvent[][] = [];
  let accept: EventSink['accept'] = (events) => void received.push(events);
  /** Socket writes on the server side, over all connections. */
  let writes = 0;

  before(async function () {
    const app = createInspectorApp({
      authenticator: noAuthentication(),
      sink: { accepting: () => true, accept: (...args) => accept(...args) },
      log: createLogger('test', 'silent'),
      maxBodyBytes: 4096,
    });
    // Added after creation, as the operator adds the maintenance answers: still served.
    const router = express.Router();
    router.get('/elsewhere', (_req, res) => void res.send('routed'));
    app.use(router);
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    server.on('connection', (socket: Socket) => {
      const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
      socket.write = (...args: unknown[]) => {
        writes++;
        return write(...args);
      };
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    received = [];
    accept = (events) => void received.push(events);
  });

  const send = async (
    path: string,
    body: string | Uint8Array | ReadableStream<Uint8Array>,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      body,
      headers,
      signal: AbortSignal.timeout(5_000),
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('takes the paths express routed to /events, and leaves every other path to the app', async function () {
    for (const path of ['/events', '/events/', '/EVENTS', '/events?from=x']) {
      const res = await send(path, seed);
      assert.equal(res.status, 200, path);
      assert.equal(res.text, '{"accepted":1}');
      assert.equal(res.type, 'application/json; charset=utf-8');
    }
    assert.equal(received.length, 4);
    const other = await fetch(`${base}/elsewhere`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(await other.text(), 'routed');
    assert.equal((await send('/events/more', seed)).status, 404);
    assert.deepEqual(
      ['/events', '/Events/', '/events?x', '/eventsx', '/events/x', '/', undefined].map(isEventsPath),
      [true, true, true, false, false, false, false],
    );
  });

  it('answers a report with one socket write: status line, headers and body together', async function () {
    const before = writes;
    assert.equal((await send('/events', seed)).status, 200);
    assert.equal(writes - before, 1);
  });

  it('bounds a body without Content-Length while reading it (413), and applies nothing', async function () {
    const chunk = new TextEncoder().encode(`[${'1,'.repeat(1000)}`);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Up to 40 KB, ten times the limit: the answer comes before the end.
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await send('/events', stream);
    assert.equal(res.status, 413);
    assert.match(res.text, /body larger than 4096 bytes/);
    assert.equal(received.length, 0);
  });

  it('refuses a body whose Content-Length is beyond the bound before a byte of it arrives (413)', async function () {
    const text = await rawAnswer(
      Number(new URL(base).port),
      'POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n',
      '}',
    );
    assert.match(text, /^HTTP\/1\.1 413/);
    assert.match(text, /connection: close/i);
    assert.match(text, /body larger than 4096 bytes/);
  });

  it('undoes a Content-Encoding and refuses one it does not know (415), as before', async function () {
    const gzipped = await send('/events', gzipSync(seed), { 'content-encoding': 'gzip' });
    assert.equal(gzipped.status, 200);
    const unknown = await send('/events', seed, { 'content-encoding': 'x-made-up' });
    assert.equal(unknown.status, 415);
    assert.deepEqual(JSON.parse(unknown.text), { error: 'unsupported content encoding "x-made-up"' });
    assert.equal(received.length, 1);
  });

  it('reads UTF-8 split across chunks, without a byte order mark, as body-parser did', async function () {
    const bytes = Buffer.from(`\ufeff${seed.replace('compute-1', 'compute-é')}`, 'utf8');
    const cut = bytes.indexOf(Buffer.from('é', 'utf8')) + 1; // inside the two bytes of é
    const parts = [bytes.subarray(0, cut), bytes.subarray(cut)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    assert.equal((await send('/events', stream)).status, 200);
    assert.equal(received[0]?.[0]?.details.hostname, 'compute-é');
  });

  it('decodes a charset the request names, and refuses one it does not know (415)', async function () {
    const latin1 = Buffer.from(seed.replace('compute-1', 'compute-é'), 'latin1');
    const res = await send('/events', latin1, { 'content-type': 'application/json; charset=ISO-8859-1' });
    assert.equal(res.status, 200);
    assert.equal(received[0]?.[0]?.details.hostname, 'compute-é');
    const unknown = await send('/events', seed, { 'content-type': 'application/json; charset=made-up' });
    assert.equal(unknown.status, 415);
    assert.deepEqual(JSON.parse(unknown.text), { error: 'unsupported charset "MADE-UP"' });
  });

  it('answers 500 when applying the batch throws, and keeps serving', async function () {
    accept = () => {
      throw new Error('engine bug');
    };
    const res = await send('/events', seed);
    assert.equal(res.status, 500);
    assert.match(res.text, /internal error; the report was not applied/);
    accept = (events) => void received.push(events);
    assert.equal((await send('/events', seed)).status, 200);
  });
});
