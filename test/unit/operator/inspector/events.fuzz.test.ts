// Fuzzes POST/PUT /events: generated bodies and credentials against the real HTTP handler (in-process on
// 127.0.0.1) with the real static-token authenticator and a real correlation engine behind it. Every
// answer must be 2xx or 4xx, the server must keep answering, and a refused request must change nothing.
import assert from 'node:assert/strict';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { createCorrelationEngine } from '../../../../src/inspector/engine.js';
import { staticTokenAuthentication } from '../../../../src/intake/authenticator.js';
import { createInspectorApp } from '../../../../src/intake/http.js';
import { createLogger } from '../../../../src/observability/logger.js';
import { engineConfig } from '../../inspector/events-fixture.js';

const runs = 10_000;
const hosts = ['compute-1', 'compute-2', 'compute-3'];
const tokens = [
  { observer: 'compute-1', token: 'token-compute-1' },
  { observer: 'compute-2', token: 'token-compute-2' },
];
const clock = Date.UTC(2026, 10, 30, 12, 0, 0);

const name = fc.oneof(
  fc.constantFrom(...hosts, 'compute-9', 'ext-1', ''),
  fc.string({ maxLength: 8 }),
  fc.constant('x'.repeat(300)),
);
const time = fc.oneof(
  fc.integer({ min: -3_600_000, max: 3_600_000 }).map((dt) => new Date(clock + dt).toISOString()),
  fc.constantFrom(
    '2017-05-08T13:50:39.710436',
    '9999-12-31T23:59:60Z',
    '2099-01-01T00:00:00',
    '2024-02-30T00:00:00',
    '0001-01-01T00:00:00Z',
    'now',
  ),
  fc.string({ maxLength: 30 }),
);
const type = fc.oneof(
  fc.constantFrom(
    'compute.host.down',
    'compute.host.up',
    'compute.host.nic.down',
    'compute.host.nic.up',
    'compute.host.isolated',
    'compute.host.connected',
    'compute.host.heartbeat',
    'compute.host.future_thing',
    'compute.instance.update',
  ),
  fc.string({ maxLength: 12 }),
);
const status = fc.constantFrom('down', 'up', 'DOWN', 'unknown', 'isolated', 'ok', '');
const junk = fc.oneof(fc.anything({ maxDepth: 2 }), fc.constant(undefined));
const details = fc.record(
  {
    hostname: fc.oneof(name, junk),
    status: fc.oneof(status, junk),
    monitor: fc.oneof(fc.constantFrom('sample', 'x1', 'x2', 'doctor-monitor'), junk),
    monitor_event_id: fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), junk),
    observer: fc.oneof(name, junk),
    interface: fc.oneof(fc.constantFrom('eth0', 'eth1'), junk),
    rtt_ms: fc.oneof(fc.double(), junk),
    peers: fc.oneof(
      fc.array(fc.record({ hostname: fc.oneof(name, junk), status: fc.oneof(status, junk) }), {
        maxLength: 4,
      }),
      junk,
    ),
  },
  { requiredKeys: [] },
);
/** Mostly well-formed events as monitors send them, so batches also get accepted (or refused as foreign). */
const plausible = fc
  .record({
    id: fc.uuid(),
    time: fc.integer({ min: -60_000, max: 60_000 }).map((dt) => new Date(clock + dt).toISOString()),
    kind: fc.constantFrom('down', 'up', 'nic.down', 'nic.up', 'heartbeat', 'isolated'),
    hostname: fc.constantFrom(...hosts),
    observer: fc.option(fc.constantFrom(...hosts), { nil: undefined }),
    monitor: fc.constantFrom('x1', 'x2', 'doctor-monitor'),
    peers: fc.array(
      fc.record({ hostname: fc.constantFrom(...hosts), status: fc.constantFrom('up', 'down') }),
      {
        maxLength: 3,
      },
    ),
  })
  .map(({ id, time, kind, hostname, observer, monitor, peers }) => ({
    id,
    time,
    type: `compute.host.${kind}`,
    details: {
      hostname,
      status: kind.endsWith('up') ? 'up' : kind.endsWith('down') ? 'down' : 'up',
      monitor,
      monitor_event_id: id,
      ...(observer === undefined ? {} : { observer }),
      ...(kind.startsWith('nic') ? { interface: 'eth0' } : {}),
      ...(kind === 'heartbeat' ? { peers } : {}),
    },
  }));
const event = fc.oneof(
  { weight: 1, arbitrary: plausible },
  {
    weight: 4,
    arbitrary: fc.record({ id: fc.oneof(fc.uuid(), junk), time, type, details }, { requiredKeys: [] }),
  },
  { weight: 1, arbitrary: junk },
);
const body = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(plausible, { minLength: 1, maxLength: 4 }).map((events) => JSON.stringify(events)),
  },
  { weight: 6, arbitrary: fc.array(event, { maxLength: 6 }).map((events) => JSON.stringify(events)) },
  { weight: 1, arbitrary: fc.array(event, { maxLength: 3 }).map((events) => JSON.stringify({ events })) },
  { weight: 1, arbitrary: event.map((e) => JSON.stringify({ event: e })) },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constant(`[${'{"x":1},'.repeat(600)}{"x":1}]`) },
);
const credentials = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<Record<string, string>>({ 'x-auth-token': 'token-compute-1' }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom<Record<string, string>>({ authorization: 'Bearer token-compute-2' }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { authorization: 'Bearer token-compute-é' },
      { 'x-auth-token': 'wrong' },
      {},
    ),
  },
);

// Plain node:http with keep-alive: cheaper per request than fetch, so 10,000 runs stay quick.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function send(method: string, body: string, headers: Record<string, string>): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: { 'content-type': 'application/json', ...headers }, timeout: 5_000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end(body);
  });
}
let url = '';

describe('inspector /events fuzzing (in-process, real handler and engine)', function () {
  this.timeout(120_000);
  let server: Server;
  const engine = createCorrelationEngine(
    engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1_000, healthySeconds: 30 } }),
  );
  let accepted = 0;

  before(async function () {
    const app = createInspectorApp({
      authenticator: staticTokenAuthentication(() => tokens),
      sink: {
        accepting: () => true,
        accept: (events, receivedAt) => {
          accepted++;
          engine.observe(events, receivedAt);
        },
      },
      log: createLogger('test', 'error'),
      now: () => clock,
      maxEvents: 500,
      requestsPerSecond: 1_000_000,
      requestBurst: 1_000_000,
    });
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  });
  after(() => {
    agent.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it(`answers ${runs} generated requests with 2xx or 4xx, and refused ones change no state`, async function () {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, credentials, fc.constantFrom('POST', 'PUT'), async (text, headers, method) => {
        const before = JSON.stringify(engine.snapshots());
        const acceptedBefore = accepted;
        const res = await send(method, text, headers);
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        assert.ok(res.status >= 200 && res.status < 500, `status ${res.status} for ${text.slice(0, 200)}`);
        if (res.status >= 300) {
          assert.equal(accepted, acceptedBefore, 'a refused request reached the engine');
          assert.equal(JSON.stringify(engine.snapshots()), before, 'a refused request changed state');
        }
      }),
      { numRuns: runs },
    );
    // Still alive and still useful: a valid report is accepted after all that.
    const valid = JSON.stringify([
      {
        id: 'final',
        time: new Date(clock).toISOString(),
        type: 'compute.host.down',
        details: { hostname: 'compute-3', status: 'down', monitor: 'm', monitor_event_id: 'final' },
      },
    ]);
    const res = await fetch(url, {
      method: 'POST',
      body: valid,
      headers: { 'x-auth-token': 'token-compute-1' },
    });
    assert.equal(res.status, 200);
    // The generator must reach both sides: accepted batches and every kind of refusal.
    for (const status of [200, 400, 401, 403, 413])
      assert.ok(seen.get(status), `no ${status} among ${JSON.stringify([...seen])}`);
  });
});
