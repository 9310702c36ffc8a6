// The fault path prepared ahead, against the real Nova simulator: after a warm-up the force-down is a
// single PUT, a server created after the last refresh is still reset (the live listing runs alongside
// the cached resets), and 50 servers are reset in one wave of parallel calls.
import assert from 'node:assert/strict';
import type { HostDownInput } from '../../../src/remediation/index.js';
import { decision } from './fakes.js';
import { useBed, type Bed } from './sim-harness.js';

const host = 'compute-0';

function downInput(bed: Bed): HostDownInput {
  return { policy: bed.policy, node: host, novaHost: host, decision: decision('0000warm0000warm') };
}

describe('remediation prepared ahead of the fault (Nova simulator)', function () {
  this.timeout(60_000);
  const bed = useBed();

  it('resets a server created after the last refresh, and forces down with one PUT by the known id', async () => {
    const b = await bed({ hosts: [host, 'compute-1'], serversPerHost: 12, maxPageSize: 5 });
    const executor = b.executor();
    const warm = await executor.warmUp(b.policy, [host, 'compute-1']);
    assert.deepEqual(warm.failures, []);
    assert.equal(warm.services, 2);
    const tenant = b.sim.state.serversOnHost(host)[0]!.tenantId;
    const late = b.sim.state.addServer(host, tenant, 'created-after-the-refresh');
    b.sim.clearCalls();

    await executor.hostDown(downInput(b));
    await executor.settled(host);

    const servers = b.sim.state.serversOnHost(host);
    assert.equal(servers.length, 13);
    assert.deepEqual(
      servers.filter((s) => s.vmState !== 'error').map((s) => s.name),
      [],
      'every server in error',
    );
    assert.equal(b.sim.novaCalls('POST', new RegExp(`/servers/${late.id}/action$`)).length, 1);
    assert.ok(
      b.consumer.arrivals().some((a) => a.server === late.id),
      'the consumer heard about the late server',
    );
    assert.deepEqual(b.store.status(host).servers, { found: 13, markedError: 13 });
    assert.equal(b.sim.novaCalls('GET', /\/os-services$/).length, 0, 'no service lookup at fault time');
    assert.equal(b.sim.novaCalls('PUT', /\/os-services\//).length, 1);
    assert.equal(b.sim.state.computeService(host)?.forcedDown, true);
    assert.equal(b.sim.calls.filter((c) => c.path.startsWith('/identity')).length, 0, 'token was ready');
  });

  it('looks the service up again when the known id is stale (404) and still forces it down', async () => {
    const b = await bed({ hosts: [host], serversPerHost: 2 });
    const executor = b.executor();
    await executor.warmUp(b.policy, [host]);
    const service = b.sim.state.computeService(host)!;
    const staleId = service.uuid;
    service.uuid = '3f0c4a52-6b1e-4f55-9d8a-2c1b7e9f0a11'; // re-registered since the warm-up
    b.sim.clearCalls();
    await executor.hostDown(downInput(b));
    await executor.settled(host);
    assert.equal(b.sim.novaCalls('PUT', new RegExp(`/os-services/${staleId}$`))[0]?.status, 404);
    assert.equal(b.sim.novaCalls('GET', /\/os-services$/).length, 1);
    assert.equal(service.forcedDown, true);
    assert.equal(b.store.status(host).novaServiceId, service.uuid);
  });

  it('resets 50 servers of a host in one wave: every reset starts before the first one is answered', async () => {
    const latencyMs = 150;
    const b = await bed({ hosts: [host], serversPerHost: 50, latencyMs });
    const executor = b.executor();
    await executor.warmUp(b.policy, [host]);
    b.sim.clearCalls();
    await executor.hostDown(downInput(b));
    await executor.settled(host);
    const resets = b.sim.novaCalls('POST', /\/action$/);
    assert.equal(new Set(resets.map((c) => c.path)).size, 50);
    const firstAnswered = Math.min(...resets.map((c) => c.startedAtMs + c.durationMs));
    const late = resets.filter((c) => c.startedAtMs >= firstAnswered);
    assert.equal(late.length, 0, `${late.length} resets waited for an earlier one (a second wave)`);
  });
});
