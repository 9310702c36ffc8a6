// The rehearsal of the fault path runs the real code (intake over loopback, an inspector with its engine,
// a host-down remediation) on scratch instances: it reaches a decision and a full remediation, and
// leaves nothing behind in the operator's own inspector, its policy objects, the process-wide metrics
// registry or the process's output.
import assert from 'node:assert/strict';
import { register } from 'prom-client';
import type { FaultPolicy, HostHealth } from '../../../src/api/types.js';
import {
  rehearsalHosts,
  rehearseFaultPath,
  scratchHostHealths,
  scratchKubePorts,
} from '../../../src/operator/fault-rehearsal.js';
import type { HostDownRehearsal } from '../../../src/remediation/rehearsal.js';
import { InspectorService } from '../../../src/operator/inspector-service.js';
import { CoalescingStatusWriter } from '../../../src/runtime/coalescing-status-writer.js';
import { RehearsalNova } from '../../../src/openstack/rehearsal-nova.js';
import { OpenStackHttpError } from '../../../src/openstack/index.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { policy as remediationPolicy, target } from '../remediation/fakes.js';

function cache<T extends { metadata: { name: string } }>(items: T[]) {
  return { list: () => items, get: (name: string) => items.find((i) => i.metadata.name === name) };
}

/** Counts what the process writes to stdout and stderr while `work` runs. */
async function outputDuring<T>(work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  let writes = 0;
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const count = (write: typeof out) =>
    ((...args: Parameters<typeof out>) => (writes++, write(...args))) as typeof out;
  process.stdout.write = count(out);
  process.stderr.write = count(err);
  try {
    return { result: await work(), writes };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

describe('fault path rehearsal', function () {
  this.timeout(20_000);

  const outcomes: [string, FaultPolicy | undefined, number, HostDownRehearsal][] = [
    [
      'declares a made-up host down and remediates it fully, in memory',
      remediationPolicy({ notify: [target()] }),
      20,
      { forcedDown: true, serversReset: 20, novaWrites: 21, notificationsDelivered: 20 },
    ],
    [
      'rehearses a typical policy by default: force-down, resets, a consumer of each format',
      undefined,
      10,
      { forcedDown: true, serversReset: 10, novaWrites: 11, notificationsDelivered: 20 },
    ],
    [
      'rehearses policies without force-down, with an OS_* credentials Secret and CA bundles',
      remediationPolicy(
        { notify: [target({ caBundle: { configMapRef: { name: 'ca', key: 'ca.crt' } } })] },
        { forceDown: false, credentialsSecretRef: { name: 'os-env' } },
      ),
      5,
      { forcedDown: false, serversReset: 5, novaWrites: 5, notificationsDelivered: 5 },
    ],
  ];
  for (const [what, p, servers, expected] of outcomes)
    it(what, async () => {
      const outcome = await rehearseFaultPath(p, servers);
      assert.equal(outcome.status, 200);
      assert.deepEqual(outcome.remediation, expected);
    });

  it("goes through the leader's Kubernetes adapters, over parts that keep nothing", async () => {
    const ports = scratchKubePorts(scratchHostHealths('p'));
    // Status comes from the (made-up) informer cache, as the leader reads it.
    assert.equal((await ports.statusReader.readStatus(rehearsalHosts[0]!))?.novaHost, rehearsalHosts[0]);
    await ports.statusWriter.patchStatus(rehearsalHosts[0]!, { novaServiceId: 'x' });
    // Taints and Events start on a later turn of the event loop, after the Nova requests of this one.
    const order: string[] = [];
    const taint = ports.tainter
      .ensureTaint('n', { key: 'k', value: 'v', effect: 'NoExecute' })
      .then((outcome) => order.push(`taint ${outcome}`));
    const event = ports.events
      .record({ apiVersion: 'v1', kind: 'Node', name: 'n' }, 'Warning', 'HostDown', 'rehearsal')
      .then(() => order.push('event'));
    void Promise.resolve().then(() => order.push('this turn'));
    await Promise.all([taint, event]);
    assert.deepEqual(order, ['this turn', 'taint added', 'event']);
  });

  it("leaves the operator's inspector, the policy, the metrics registry and the output untouched", async () => {
    const p = remediationPolicy();
    const before = structuredClone(p);
    // The real inspector of the same policy, even with hosts named like the rehearsal's.
    const writes: string[] = [];
    const remediated: string[] = [];
    const hosts: HostHealth[] = rehearsalHosts.map((name) => ({
      apiVersion: 'doctor.io/v1alpha1',
      kind: 'HostHealth',
      metadata: { name },
      spec: { policy: p.metadata.name, maintenance: { enabled: false } },
    }));
    const real = new InspectorService({
      policies: cache<FaultPolicy>([p]),
      hostHealths: cache(hosts),
      hostStatus: new CoalescingStatusWriter((name) => {
        writes.push(name);
        return Promise.resolve();
      }, silentLogger()),
      updatePolicyStatus: (name) => (writes.push(`policy ${name}`), Promise.resolve()),
      events: { record: (t) => (writes.push(`event ${t.name}`), Promise.resolve()) },
      remediation: {
        hostDown: (input) => (remediated.push(input.node), Promise.resolve()),
        hostRecovered: (input) => (remediated.push(input.node), Promise.resolve()),
        stop: () => Promise.resolve(),
      },
      log: silentLogger(),
    });
    real.start();
    const metricsBefore = (await register.getMetricsAsJSON()).map((m) => m.name);
    try {
      const { result, writes: output } = await outputDuring(() => rehearseFaultPath(p));
      assert.equal(result.remediation?.serversReset, 50, 'the rehearsal ran');
      assert.equal(output, 0, 'nothing was logged');
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(writes, [], 'no status, policy status or Event of the real inspector');
      assert.deepEqual(remediated, [], 'no remediation of the real inspector');
      assert.equal(real.stormHeld().get(p.metadata.name), 0);
      assert.deepEqual(p, before, 'the policy object is not changed');
      assert.deepEqual(
        (await register.getMetricsAsJSON()).map((m) => m.name),
        metricsBefore,
      );
    } finally {
      await real.stop();
    }
  });
});

describe('in-memory Nova of the rehearsal', () => {
  it('answers what remediation asks, counts the writes and refuses anything else', async () => {
    const nova = new RehearsalNova({ h1: 2 });
    assert.equal(await nova.client.microversion(), '2.96');
    assert.deepEqual(
      (await nova.client.listServersOnHost('h1')).map((s) => s.id),
      ['h1-server-0', 'h1-server-1'],
    );
    assert.deepEqual(await nova.client.listServersOnHost('other'), []);
    const forced = await nova.client.forceDown('h1', 'rehearsal');
    assert.equal(forced.serviceId, 'h1');
    await nova.client.resetServerToError('h1-server-0');
    assert.equal(nova.writes, 2);
    await assert.rejects(nova.client.getServer('h1-server-0'), (err: unknown) => {
      assert.ok(err instanceof OpenStackHttpError);
      assert.equal(err.status, 404);
      return true;
    });
  });
});
