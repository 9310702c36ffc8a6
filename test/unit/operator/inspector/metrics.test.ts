// The inspector's metrics as Prometheus scrapes them: hosts by policy and state from the HostHealth
// cache, heartbeats and storm holds from their sources, detection latency per timeline segment; and the
// /events endpoint's accepted and refused counts, refusals by a reason from the fixed list.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import type { HostHealth } from '../../../../src/api/types.js';
import { createInspectorMetrics, observeDetection } from '../../../../src/operator/inspector-metrics.js';
import { createIntakeMetrics } from '../../../../src/intake/metrics.js';
import { createInspectorApp } from '../../../../src/intake/http.js';
import { staticTokenAuthentication } from '../../../../src/intake/authenticator.js';
import { createLogger } from '../../../../src/observability/logger.js';

const host = (name: string, policy: string, state?: 'Down' | 'Healthy'): HostHealth => ({
  apiVersion: 'doctor.io/v1alpha1',
  kind: 'HostHealth',
  metadata: { name },
  spec: { policy, maintenance: { enabled: false } },
  ...(state ? { status: { state } } : {}),
});

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('inspector metrics', function () {
  it('exports hosts by policy and state, heartbeats, storm holds and detection segments', async function () {
    const registry = new Registry();
    const hosts = [
      host('a', 'p', 'Down'),
      host('b', 'p', 'Healthy'),
      host('c', 'p'),
      host('d', 'q', 'Healthy'),
    ];
    const metrics = createInspectorMetrics(registry, {
      hostHealths: { list: () => hosts, get: (n) => hosts.find((h) => h.metadata.name === n) },
      stormHeld: () => new Map([['p', 2]]),
      monitorHeartbeats: () => new Map([['p', { oldestAgeSeconds: 12.5, silent: 1 }]]),
    });
    observeDetection(metrics, {
      T01: '2026-01-01T00:00:00.000Z',
      T02: '2026-01-01T00:00:00.010Z',
      T03: '2026-01-01T00:00:00.050Z',
    });
    const text = await registry.metrics();
    assert.equal(
      line(text, 'doctor_hosts{policy="p",state="Down"}'),
      'doctor_hosts{policy="p",state="Down"} 1',
    );
    assert.equal(
      line(text, 'doctor_hosts{policy="p",state="Unknown"}'),
      'doctor_hosts{policy="p",state="Unknown"} 1',
    );
    assert.equal(
      line(text, 'doctor_hosts{policy="q",state="Down"}'),
      'doctor_hosts{policy="q",state="Down"} 0',
    );
    assert.equal(line(text, 'doctor_storm_held_hosts{policy="p"}'), 'doctor_storm_held_hosts{policy="p"} 2');
    assert.equal(
      line(text, 'doctor_monitor_heartbeat_age_seconds{policy="p"}'),
      'doctor_monitor_heartbeat_age_seconds{policy="p"} 12.5',
    );
    assert.equal(line(text, 'doctor_monitors_silent{policy="p"}'), 'doctor_monitors_silent{policy="p"} 1');
    assert.equal(
      line(text, 'doctor_detection_latency_seconds_sum{segment="T01-T03"}'),
      'doctor_detection_latency_seconds_sum{segment="T01-T03"} 0.05',
    );
    assert.equal(
      line(text, 'doctor_detection_latency_seconds_count{segment="T00-T01"}'),
      undefined,
      'no T00 outside tests',
    );
  });

  it('counts /events answers: accepted, and refused by the reason of the check that refused', async function () {
    const registry = new Registry();
    const app = createInspectorApp({
      authenticator: staticTokenAuthentication(() => [{ observer: 'h1', token: 'good-token' }]),
      sink: { accepting: () => true, accept: () => undefined },
      log: createLogger('test', 'error'),
      metrics: createIntakeMetrics(registry),
    });
    const server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
      const post = (body: string, token?: string) =>
        fetch(url, { method: 'POST', body, headers: token ? { authorization: `Bearer ${token}` } : {} }).then(
          (r) => r.status,
        );
      assert.equal(await post('[]'), 401);
      assert.equal(await post('[{', 'good-token'), 400);
      assert.equal(await post('[]', 'good-token'), 200);
      assert.equal(await fetch(url, { method: 'GET' }).then((r) => r.status), 405);
      await new Promise((r) => setTimeout(r, 20));
      const text = await registry.metrics();
      assert.equal(line(text, 'doctor_reports_accepted_total'), 'doctor_reports_accepted_total 1');
      for (const [reason, n] of [
        ['unauthenticated', 1],
        ['malformed', 1],
        ['method', 1],
        ['rate_limited', 0],
      ] as const)
        assert.equal(
          line(text, `doctor_reports_refused_total{reason="${reason}"}`),
          `doctor_reports_refused_total{reason="${reason}"} ${n}`,
        );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
