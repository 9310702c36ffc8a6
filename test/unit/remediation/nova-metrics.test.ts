// What remediation tells about Nova and its consumers, against the Nova simulator and the sample consumer:
// calls and errors by operation, whether the policy's Nova answers (the NovaReachable condition), the
// notifications by consumer and outcome, and the latency of each timeline segment.
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createRemediationMetrics } from '../../../src/remediation/metrics.js';
import { reachabilityOf, type NovaReachability } from '../../../src/remediation/nova-reachability.js';
import {
  HttpTransportError,
  OpenStackConfigError,
  OpenStackHttpError,
} from '../../../src/openstack/index.js';
import { decision } from './fakes.js';
import { useBed } from './sim-harness.js';

const host = 'compute-0';

async function sampleValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => name.startsWith(m.name));
  type Sample = { value: number; metricName?: string; labels: Record<string, string | number> };
  const values = (metric?.values ?? []) as Sample[];
  const found = values.find(
    (v) =>
      (v.metricName ?? metric?.name) === name &&
      Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l),
  );
  return found?.value ?? 0;
}

describe('remediation metrics and Nova reachability', function () {
  this.timeout(60_000);
  const bed = useBed();

  it('classifies outcomes: an answer (even a 4xx) is reachable; no answer, 5xx, refused credentials or a bad clouds.yaml are not', function () {
    const of = (err?: unknown) => {
      const r = reachabilityOf('forceDown', err);
      return `${r.reachable}/${r.reason}`;
    };
    assert.equal(of(), 'true/NovaAnswered');
    assert.equal(
      of(new OpenStackHttpError('compute', 'PUT', '/x', 404, 'itemNotFound', 'no')),
      'true/NovaAnswered',
    );
    assert.equal(of(new OpenStackHttpError('compute', 'PUT', '/x', 503, '', '')), 'false/NovaServerError');
    assert.equal(
      of(new OpenStackHttpError('identity', 'POST', '/v3/auth/tokens', 401, '', '')),
      'false/AuthenticationFailed',
    );
    assert.equal(of(new HttpTransportError('refused', 'connection')), 'false/NovaUnreachable');
    assert.equal(of(new OpenStackConfigError('no compute endpoint')), 'false/CloudConfigInvalid');
    assert.equal(of(new Error('odd')), 'false/NovaCallFailed');
  });

  it('counts Nova operations, notifications and timeline segments of a real fault; reachability flips when Nova stops', async () => {
    const b = await bed({ hosts: [host], serversPerHost: 6 });
    const registry = new Registry();
    const metrics = createRemediationMetrics(registry);
    const seen: NovaReachability[] = [];
    const executor = b.executor(
      {},
      {
        metrics,
        novaReachability: (policy, outcome) => {
          assert.equal(policy, b.policy.metadata.name);
          seen.push(outcome);
        },
      },
    );

    await executor.warmUp(b.policy, [host]);
    assert.equal(seen.at(-1)?.reachable, true);
    await executor.hostDown({ policy: b.policy, node: host, novaHost: host, decision: decision() });
    await executor.settled(host);

    assert.equal(await sampleValue(registry, 'doctor_nova_calls_total', { operation: 'authenticate' }), 1);
    assert.equal(await sampleValue(registry, 'doctor_nova_calls_total', { operation: 'resetServer' }), 6);
    assert.equal(await sampleValue(registry, 'doctor_nova_calls_total', { operation: 'forceDown' }), 1);
    assert.equal(await sampleValue(registry, 'doctor_nova_errors_total', { operation: 'resetServer' }), 0);
    const consumer = b.policy.spec.actions.notify[0]!.name;
    assert.equal(
      await sampleValue(registry, 'doctor_notifications_total', { consumer, outcome: 'delivered' }),
      6,
    );
    for (const segment of ['T03-T04', 'T03-T05', 'T03-T08'])
      assert.equal(
        await sampleValue(registry, 'doctor_remediation_latency_seconds_count', { segment }),
        1,
        segment,
      );
    for (const segment of ['T01-T06', 'T01-T07', 'T03-T06', 'T03-T07'])
      assert.equal(
        await sampleValue(registry, 'doctor_notification_latency_seconds_count', { segment }),
        1,
        segment,
      );

    // Every connection dropped without an answer, Keystone's too; then Nova answers again.
    b.sim.configure({ failures: { ratio: 1, mode: 'reset', scope: 'all' } });
    await executor.warmUp(b.policy, [host]).catch(() => undefined);
    assert.equal(seen.at(-1)?.reachable, false);
    assert.equal(seen.at(-1)?.reason, 'NovaUnreachable');
    assert.ok((await sampleValue(registry, 'doctor_nova_errors_total', { operation: 'listServers' })) >= 1);
    b.sim.configure({ failures: undefined });
    await executor.warmUp(b.policy, [host]);
    assert.equal(seen.at(-1)?.reachable, true);
  });
});
