// The /events endpoint in-process with a recording sink: status codes and messages for every kind of
// bad input, and that nothing reaches the sink unless the whole batch is valid and allowed.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { HostEvent } from '../../../../src/api/events.js';
import {
  noAuthentication,
  staticTokenAuthentication,
  type Authenticator,
} from '../../../../src/operator/inspector/authenticator.js';
import { createInspectorApp, foreignEvent } from '../../../../src/operator/inspector/http.js';
import { createLogger } from '../../../../src/observability/logger.js';

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
    authenticator = staticTokenAuthentication(() => 's3cret');
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

  it('lets a monitor speak only for its own node', function () {
    const event = (observer?: string, hostname = 'n2'): HostEvent => ({
      id: 'x',
      time: '2026-01-01T00:00:00Z',
      type: 'compute.host.down',
      details: {
        hostname,
        status: 'down',
        monitor: 'm',
        monitor_event_id: '1',
        ...(observer ? { observer } : {}),
      },
    });
    const monitor = { kind: 'monitor' as const, name: 'sa', node: 'n1' };
    assert.equal(foreignEvent([event('n1')], monitor), undefined);
    assert.equal(foreignEvent([event(undefined, 'n1')], monitor), undefined);
    assert.match(foreignEvent([event('n1'), event('n3')], monitor) ?? '', /events\[1\]\.details\.observer/);
    assert.equal(foreignEvent([event('n3')], { kind: 'static', name: 'static-token' }), undefined);
  });
});
