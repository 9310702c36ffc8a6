// The /events endpoint in-process with a recording sink: status codes and messages for every kind of
// bad input, and that nothing reaches the sink unless the whole batch is valid and allowed.
import assert from 'node:assert/strict';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Server } from 'node:http';
import type { HostEvent } from '../../../../src/api/events.js';
import {
  noAuthentication,
  staticTokenAuthentication,
  type Authenticator,
} from '../../../../src/intake/authenticator.js';
import {
  createInspectorApp,
  hardenInspectorServer,
  type InspectorAppOptions,
} from '../../../../src/intake/http.js';
import { createLogger } from '../../../../src/observability/logger.js';
import { rawAnswer } from './raw-request.js';

const seed =
  '[{"id":"0a2b","time":"2017-05-08T13:50:39.710436","type":"compute.host.down","details":{"hostname":"compute-1","status":"down","monitor":"sample","monitor_event_id":"1"}}]';

describe('inspector /events endpoint (in-process)', function () {
  let server: Server;
  let url: string;
  let received: HostEvent[][] = [];
  let leader = true;
  let authenticator: Authenticator = noAuthentication();
  /** What the sink's accept returns: when the batch's decisions are recorded. */
  let recording: () => Promise<void> | void = () => undefined;

  before(async function () {
    const app = createInspectorApp({
      authenticator: { authenticate: (h) => authenticator.authenticate(h) },
      sink: {
        accepting: () => leader,
        accept: (events) => {
          received.push(events);
          return recording();
        },
      },
      log: createLogger('test', 'error'),
      maxBodyBytes: 4096,
      maxEvents: 5,
      recordTimeoutMs: 300,
    });
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    received = [];
    leader = true;
    authenticator = noAuthentication();
    recording = () => undefined;
  });

  const send = async (body: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(url, {
      method: init.method ?? 'POST',
      body,
      headers: init.headers,
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, json: (await res.json()) as { error?: string; accepted?: number } };
  };

  it("accepts Doctor's seed body by POST and PUT", async function () {
    assert.deepEqual((await send(seed)).json, { accepted: 1 });
    assert.equal((await send(seed, { method: 'PUT' })).status, 200);
    assert.equal(received.length, 2);
    assert.equal(received[0]![0]!.details.hostname, 'compute-1');
  });

  it('answers without an ETag (nothing caches an answer to a report)', async function () {
    const res = await fetch(url, { method: 'POST', body: seed, signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), null);
  });

  const bad: [string, string, number, RegExp][] = [
    ['invalid JSON', '[{', 400, /JSON/i],
    ['a missing field', seed.replace('"type":"compute.host.down",', ''), 400, /events\[0\]\.type/],
    [
      'too many events',
      JSON.stringify(Array.from({ length: 6 }, () => (JSON.parse(seed) as unknown[])[0])),
      413,
      /6|5/,
    ],
    ['an oversized body', `[${'1,'.repeat(4000)}1]`, 413, /larger than 4096 bytes/],
  ];
  for (const [what, body, status, message] of bad) {
    it(`refuses ${what} with ${status} and applies nothing`, async function () {
      const res = await send(body);
      assert.equal(res.status, status);
      assert.match(res.json.error ?? '', message);
      assert.equal(received.length, 0);
    });
  }

  it('answers 503 on a standby so monitors retry on the leader', async function () {
    leader = false;
    assert.equal((await send(seed)).status, 503);
    assert.equal(received.length, 0);
  });

  it('answers 401 without the static token and accepts it as X-Auth-Token or bearer', async function () {
    authenticator = staticTokenAuthentication(() => [{ observer: 'ext-1', token: 's3cret' }]);
    assert.equal((await send(seed)).status, 401);
    assert.equal((await send(seed, { headers: { 'x-auth-token': 'nope' } })).status, 401);
    assert.equal((await send(seed, { headers: { 'x-auth-token': 's3cret' } })).status, 200);
    assert.equal((await send(seed, { headers: { authorization: 'Bearer s3cret' } })).status, 200);
  });

  it('answers 200 only once the batch is recorded, and 503 when recording fails or takes too long', async function () {
    let release: () => void = () => undefined;
    recording = () => new Promise<void>((r) => (release = r));
    let answered = false;
    const pending = send(seed).then((res) => {
      answered = true;
      return res;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(answered, false, 'no answer while the decision is being written');
    release();
    assert.equal((await pending).status, 200);

    recording = () => Promise.reject(new Error('status write failed'));
    const failed = await send(seed);
    assert.equal(failed.status, 503);
    assert.match(failed.json.error ?? '', /status write failed.*retry/);

    recording = () => new Promise<void>(() => undefined);
    const slow = await send(seed);
    assert.equal(slow.status, 503);
    assert.match(slow.json.error ?? '', /not recorded within 300 ms/);
  });

  it('answers 405 to other methods', async function () {
    const res = await fetch(url, { method: 'GET', signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 405);
  });

  it('stamps each event with the observer the static token names, and refuses another observer (403)', async function () {
    authenticator = staticTokenAuthentication(() => [
      { observer: 'ext-1', token: 'token-one' },
      { observer: 'ext-2', token: 'token-two' },
    ]);
    assert.equal((await send(seed, { headers: { 'x-auth-token': 'token-two' } })).status, 200);
    assert.equal(received[0]![0]!.details.observer, 'ext-2');
    const claimsOther = seed.replace('"monitor":"sample"', '"monitor":"sample","observer":"ext-1"');
    const res = await send(claimsOther, { headers: { 'x-auth-token': 'token-two' } });
    assert.equal(res.status, 403);
    assert.match(res.json.error ?? '', /details\.observer: "ext-1" is not this reporter's observer "ext-2"/);
    assert.equal(received.length, 1);
  });

  it('answers 401, not 500, to a static token of another byte length', async function () {
    authenticator = staticTokenAuthentication(() => [{ observer: 'ext-1', token: 'abc' }]);
    for (const token of ['éab', 'a', 'abcd', 'ab\u00e9']) {
      const res = await send(seed, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 401, token);
    }
  });

  it('refuses event times too far ahead of its clock with 400 and applies nothing', async function () {
    const ahead = seed.replace('2017-05-08T13:50:39.710436', '2099-01-01T00:00:00');
    const res = await send(ahead);
    assert.equal(res.status, 400);
    assert.match(res.json.error ?? '', /events\[0\]\.time: .* ahead of the inspector's clock/);
    assert.equal(received.length, 0);
  });

  it('refuses bad credentials from the headers alone, without waiting for the body', async function () {
    authenticator = staticTokenAuthentication(() => [{ observer: 'ext-1', token: 's3cret' }]);
    const { port } = server.address() as AddressInfo;
    // Promises a large body and sends none of it: only a header check can answer.
    const text = await rawAnswer(
      port,
      'POST /events HTTP/1.1\r\nHost: x\r\nX-Auth-Token: wrong\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n',
      '\r\n\r\n',
    );
    assert.match(text, /^HTTP\/1\.1 401/);
    assert.match(text, /connection: close/i);
  });
});

describe('inspector /events endpoint limits (in-process)', function () {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))));

  async function start(options: Partial<InspectorAppOptions>): Promise<{ url: string; server: Server }> {
    const app = createInspectorApp({
      authenticator: noAuthentication(),
      sink: { accepting: () => true, accept: () => undefined },
      log: createLogger('test', 'error'),
      ...options,
    });
    const server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    servers.push(server);
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, server };
  }

  const post = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: 'POST', body: seed, headers, signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  };

  it('answers 429 beyond the requests per second of one reporter, not of another', async function () {
    let clock = Date.now();
    const { url } = await start({
      authenticator: staticTokenAuthentication(() => [
        { observer: 'ext-1', token: 'one' },
        { observer: 'ext-2', token: 'two' },
      ]),
      requestsPerSecond: 2,
      requestBurst: 3,
      now: () => clock,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await post(url, { 'x-auth-token': 'one' }));
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal(await post(url, { 'x-auth-token': 'two' }), 200, 'another reporter has its own budget');
    clock += 1_000;
    assert.equal(await post(url, { 'x-auth-token': 'one' }), 200, 'refilled after a second');
  });

  it('answers 503 at once beyond the requests in progress', async function () {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { url } = await start({
      authenticator: { authenticate: () => gate.then(() => noAuthentication().authenticate({})) },
      maxConcurrentRequests: 2,
    });
    const held = [post(url), post(url)];
    await sleep(200);
    assert.equal(await post(url), 503);
    release();
    assert.deepEqual(await Promise.all(held), [200, 200]);
    assert.equal(await post(url), 200);
  });

  it('bounds open connections on the server', async function () {
    const { server } = await start({});
    hardenInspectorServer(server, { maxConnections: 2 });
    const { port } = server.address() as AddressInfo;
    const sockets = Array.from({ length: 3 }, () => connect(port, '127.0.0.1'));
    const closed = sockets.map(
      (socket) =>
        new Promise<boolean>((resolve) => {
          socket.on('close', () => resolve(true));
          socket.on('error', () => undefined);
          setTimeout(() => resolve(false), 1_000);
        }),
    );
    const results = await Promise.all(closed);
    for (const socket of sockets) socket.destroy();
    assert.deepEqual(
      results.filter((c) => c).length,
      1,
      'the connection beyond the limit is closed by the server',
    );
  });
});
