// Remediation against the real Nova simulator and the real sample consumer: every server across pages
// reset, force-down on both API generations, a flaky Nova, a consumer that is down for a while, and an
// operator restarted half-way that never sends a delivered notification twice. The Kubernetes side is in
// memory (status, Secrets, taints, Events), which is why this is a unit suite; the same path on the real
// API server is covered by the inspector's fault-flow and the fault-injection integration tests.
import assert from 'node:assert/strict';
import type { HostDownInput } from '../../../src/remediation/index.js';
import { decision, eventually } from './fakes.js';
import { countById, useBed, type Bed } from './sim-harness.js';

const host = 'compute-0';

function downInput(bed: Bed, faultId = '00c0ffee00c0ffee'): HostDownInput {
  return { policy: bed.policy, node: host, novaHost: host, decision: decision(faultId) };
}

function assertEveryServerInError(bed: Bed): number {
  const servers = bed.sim.state.serversOnHost(host);
  const notError = servers.filter((s) => s.status !== 'ERROR');
  assert.deepEqual(
    notError.map((s) => s.id),
    [],
    'servers not in ERROR',
  );
  return servers.length;
}

function assertEachServerNotifiedOnce(bed: Bed): void {
  const servers = bed.sim.state.serversOnHost(host);
  const arrivals = bed.consumer.arrivals();
  const duplicates = [...countById(arrivals)].filter(([, n]) => n > 1);
  assert.deepEqual(duplicates, [], 'no notification arrived twice');
  assert.equal(arrivals.length, servers.length);
  const notified = new Set(arrivals.map((a) => a.server));
  for (const server of servers) assert.ok(notified.has(server.id), `server ${server.id} notified`);
  for (const a of arrivals) {
    assert.equal(a.format, 'aodh');
    assert.equal(a.type, 'aodh.alarm');
    assert.equal(a.host, host);
    assert.ok(a.project !== undefined && a.project !== '');
  }
}

describe('remediation with the Nova simulator and the sample consumer', function () {
  this.timeout(60_000);
  const bed = useBed();

  it('forces down by service UUID (2.53+), resets >= 120 servers across pages, notifies each once; again = nothing', async () => {
    const b = await bed({ hosts: [host, 'compute-1'], serversPerHost: 130, maxPageSize: 25 });
    const executor = b.executor();
    const result = await executor.hostDown(downInput(b));
    await executor.settled(host);
    assert.deepEqual(result.failures, []);

    assert.equal(assertEveryServerInError(b), 130);
    assert.ok(
      b.sim.state.serversOnHost('compute-1').every((s) => s.status === 'ACTIVE'),
      'other host untouched',
    );
    assert.ok(b.sim.novaCalls('GET', /\/servers\/detail$/).length >= 6, 'followed every page');
    const service = b.sim.state.computeService(host);
    assert.equal(service?.forcedDown, true);
    assert.equal(service?.status, 'disabled');
    assert.equal(service?.disabledReason, 'doctor: host down');
    assert.equal(b.sim.novaCalls('PUT', new RegExp(`/os-services/${service?.uuid ?? 'x'}$`)).length, 1);
    assert.equal(b.sim.novaCalls('PUT', /force-down/).length, 0);
    assertEachServerNotifiedOnce(b);

    const status = b.store.status(host);
    assert.equal(status.novaServiceId, service?.uuid);
    assert.deepEqual(status.servers, { found: 130, markedError: 130 });
    for (const point of ['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T07', 'T08'] as const)
      assert.ok(status.timeline?.[point], `${point} recorded`);
    assert.equal(status.notifications?.filter((n) => n.delivered).length, 130);
    assert.ok(b.events.reasons('HostHealth').includes('ServersResetToError'));
    assert.ok(b.events.reasons('Node').includes('NodeTainted'));

    // The same decision to a new operator (same status): nothing repeated.
    b.sim.clearCalls();
    const again = b.executor();
    await again.hostDown(downInput(b));
    await again.settled(host);
    assert.deepEqual(
      b.sim.novaCalls().filter((c) => c.method !== 'GET'),
      [],
      'no Nova change made twice',
    );
    assert.equal(b.consumer.arrivals().length, 130);
  });

  it('uses the legacy force-down call on a cloud limited to 2.11-2.52', async () => {
    const b = await bed({ hosts: [host], serversPerHost: 5, minVersion: '2.11', maxVersion: '2.52' });
    const executor = b.executor();
    await executor.hostDown(downInput(b));
    await executor.settled(host);
    const legacy = b.sim.novaCalls('PUT', /\/os-services\/force-down$/);
    assert.equal(legacy.length, 1);
    assert.equal(legacy[0]?.microversion, '2.52');
    assert.equal(b.sim.state.computeService(host)?.forcedDown, true);
    assert.equal(b.sim.state.computeService(host)?.disabledReason, 'doctor: host down');
    assertEveryServerInError(b);
    assertEachServerNotifiedOnce(b);
    assert.ok(b.store.status(host).timeline?.T04);
  });

  it('converges when Nova answers 503 to half of its calls', async () => {
    const b = await bed({
      hosts: [host],
      serversPerHost: 60,
      maxPageSize: 20,
      failures: { ratio: 0.5, seed: 42, status: 503 },
    });
    const executor = b.executor();
    await executor.hostDown(downInput(b));
    await executor.settled(host);
    assert.ok(b.sim.novaCalls().filter((c) => c.injected).length > 20, 'failures were injected');
    assert.equal(b.sim.state.computeService(host)?.forcedDown, true);
    assertEveryServerInError(b);
    assertEachServerNotifiedOnce(b);
    const status = b.store.status(host);
    assert.ok(status.timeline?.T04 && status.timeline.T05 && status.timeline.T07);
  });

  it('delivers every notification to a consumer that was down for a while, once', async () => {
    const b = await bed({ hosts: [host], serversPerHost: 40 });
    await b.consumer.stop();
    const executor = b.executor();
    const result = await executor.hostDown(downInput(b));
    assert.equal(result.notificationsDelivered, 0);
    await eventually(
      () => {
        const entries = b.store.status(host).notifications ?? [];
        return entries.length > 0 && entries.every((n) => n.attempts >= 2 && n.lastError !== undefined);
      },
      10_000,
      'retries recorded in status while the consumer is down',
    );
    assert.equal(b.store.status(host).timeline?.T07, undefined);
    await new Promise((r) => setTimeout(r, 500));
    await b.consumer.start();
    await executor.settled(host);
    assertEachServerNotifiedOnce(b);
    const status = b.store.status(host);
    assert.ok(status.notifications?.every((n) => n.delivered && n.lastError === undefined));
    assert.ok(status.timeline?.T07);
  });

  it('an operator stopped half-way and a new one with its status: finished, no notification sent twice', async () => {
    const b = await bed({ hosts: [host], serversPerHost: 120, latencyMs: 10 });
    // Slow enough to stop in the middle: two resets at a time, 10 ms each.
    const first = b.executor({ resetConcurrency: 2 });
    const running = first.hostDown(downInput(b)).catch(() => undefined);
    await eventually(() => b.consumer.arrivals().length >= 20, 20_000, 'some notifications delivered');
    await first.stop();
    await running;
    const persisted = b.store.status(host);
    const deliveredBefore = (persisted.notifications ?? []).filter((n) => n.delivered).length;
    assert.ok(
      deliveredBefore >= 20 && deliveredBefore < 120,
      `stopped mid-way: ${deliveredBefore} delivered`,
    );
    assert.equal(deliveredBefore, b.consumer.arrivals().length, 'every delivery made was recorded');
    assert.equal(persisted.timeline?.T05, undefined);

    const second = b.executor({ resetConcurrency: 16 });
    const result = await second.hostDown(downInput(b));
    await second.settled(host);
    assert.equal(result.resumed, true);
    assertEveryServerInError(b);
    assertEachServerNotifiedOnce(b);
    assert.ok(b.store.status(host).timeline?.T07);
  });

  it('on recovery un-forces the service, removes the taint and sends "up" for every alarmed server', async () => {
    const b = await bed({ hosts: [host], serversPerHost: 8 });
    const executor = b.executor();
    await executor.hostDown(downInput(b));
    await executor.settled(host);
    assert.equal(b.tainter.taints.get(host)?.length, 1);
    await executor.hostRecovered({
      policy: b.policy,
      node: host,
      novaHost: host,
      faultId: '00c0ffee00c0ffee',
      at: new Date().toISOString(),
    });
    await executor.settled(host);
    const service = b.sim.state.computeService(host);
    assert.equal(service?.forcedDown, false);
    assert.equal(service?.status, 'enabled');
    assert.deepEqual(b.tainter.taints.get(host), []);
    const ups = b.consumer.arrivals().filter((a) => a.type === 'aodh.ok');
    assert.equal(ups.length, 8);
    assert.deepEqual(
      [...countById(b.consumer.arrivals())].filter(([, n]) => n > 1),
      [],
    );
    assert.equal(b.store.status(host).remediation?.notifyUp?.state, 'Done');
  });
});
