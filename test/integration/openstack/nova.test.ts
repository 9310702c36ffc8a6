import assert from 'node:assert/strict';
import { OpenStackHttpError } from '../../../src/openstack/errors.js';
import { resetServersToError } from '../../support/reset-servers.js';
import { NovaServiceNotFoundError } from '../../../src/openstack/nova.js';
import type { SimCall } from '../../../tools/nova-sim/index.js';
import { useBed } from './harness.js';

/** Largest number of calls that overlapped in time. */
function peakOverlap(calls: SimCall[]): number {
  const edges = calls.flatMap((c) => [
    { t: c.startedAtMs, d: 1 },
    { t: c.startedAtMs + c.durationMs, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let current = 0;
  let peak = 0;
  for (const edge of edges) {
    current += edge.d;
    peak = Math.max(peak, current);
  }
  return peak;
}

describe('OpenStack client: Nova against the simulator', function () {
  this.timeout(30_000);
  const bed = useBed();

  describe('microversions', () => {
    it('uses the highest common version and sends both headers', async () => {
      const { sim, clients } = await bed();
      assert.equal(await clients.nova.microversion(), '2.96');
      await clients.nova.listComputeServices();
      const call = sim.novaCalls('GET', /os-services$/)[0];
      assert.equal(call?.microversion, '2.96');
    });

    it('stays at or below the wanted maximum', async () => {
      const { clients } = await bed({}, { maxMicroversion: '2.60' });
      assert.equal(await clients.nova.microversion(), '2.60');
    });

    it('settles on 2.52 against a pre-2.53 cloud', async () => {
      const { clients } = await bed({ minVersion: '2.11', maxVersion: '2.52' });
      assert.equal(await clients.nova.microversion(), '2.52');
    });

    it('refuses a cloud without force-down', async () => {
      const { clients } = await bed({ maxVersion: '2.10' });
      await assert.rejects(clients.nova.forceDown('compute-0', 'x'), {
        message: /force-down needs compute API 2.11/,
      });
    });

    it('negotiates again once after a 406 (the cloud was downgraded)', async () => {
      const { sim, clients } = await bed();
      await clients.nova.listComputeServices();
      sim.configure({ maxVersion: '2.60' });
      await clients.nova.forceDown('compute-0', 'after downgrade');
      assert.equal(await clients.nova.microversion(), '2.60');
      assert.equal(sim.novaCalls().filter((c) => c.status === 406).length, 1);
      assert.equal(sim.state.computeService('compute-0')?.forcedDown, true);
    });
  });

  describe('force down', () => {
    it('uses the service UUID at 2.53+ and sets forced_down, disabled and the reason', async () => {
      const { sim, clients } = await bed();
      const result = await clients.nova.forceDown('compute-1', 'doctor: host down');
      const service = sim.state.computeService('compute-1');
      assert.deepEqual(result, {
        host: 'compute-1',
        serviceId: service?.uuid,
        microversion: '2.96',
        api: 'uuid',
      });
      assert.equal(service?.forcedDown, true);
      assert.equal(service?.status, 'disabled');
      assert.equal(service?.disabledReason, 'doctor: host down');
      assert.deepEqual(
        sim
          .novaCalls()
          .filter((c) => c.path.includes('os-services'))
          .map((c) => `${c.method} ${c.path} ${c.status}`),
        ['GET /compute/v2.1/os-services 200', `PUT /compute/v2.1/os-services/${service?.uuid} 200`],
      );
      assert.equal(sim.state.computeService('compute-0')?.forcedDown, false);

      const unforced = await clients.nova.unforceDown('compute-1');
      assert.equal(unforced.api, 'uuid');
      assert.equal(service?.forcedDown, false);
      assert.equal(service?.status, 'enabled');
      assert.equal(service?.disabledReason, null);
    });

    it('uses the legacy force-down call at 2.11..2.52', async () => {
      const { sim, clients } = await bed({ minVersion: '2.11', maxVersion: '2.52' });
      const result = await clients.nova.forceDown('compute-0', 'doctor: host down');
      assert.deepEqual(result, { host: 'compute-0', microversion: '2.52', api: 'legacy' });
      const service = sim.state.computeService('compute-0');
      assert.equal(service?.forcedDown, true);
      assert.equal(service?.status, 'disabled');
      assert.equal(service?.disabledReason, 'doctor: host down');
      const puts = sim
        .novaCalls('PUT')
        .map((c) => c.path)
        .sort();
      assert.deepEqual(puts, [
        '/compute/v2.1/os-services/disable-log-reason',
        '/compute/v2.1/os-services/force-down',
      ]);

      await clients.nova.unforceDown('compute-0');
      assert.equal(service?.forcedDown, false);
      assert.equal(service?.status, 'enabled');
    });

    it('says clearly when the host has no nova-compute service, on both paths', async () => {
      const modern = await bed();
      await assert.rejects(modern.clients.nova.forceDown('ghost', 'x'), NovaServiceNotFoundError);
      const legacy = await bed({ minVersion: '2.11', maxVersion: '2.52' });
      await assert.rejects(legacy.clients.nova.forceDown('ghost', 'x'), (err: unknown) => {
        assert.ok(err instanceof OpenStackHttpError);
        assert.equal(err.status, 404);
        assert.equal(err.fault, 'itemNotFound');
        assert.match(err.message, /Service nova-compute on host ghost could not be found/);
        return true;
      });
    });

    it("truncates an over-long disabled reason to Nova's 255 characters", async () => {
      const { sim, clients } = await bed();
      await clients.nova.forceDown('compute-0', 'x'.repeat(400));
      assert.equal(sim.state.computeService('compute-0')?.disabledReason?.length, 255);
    });
  });

  describe('servers on a host', () => {
    it('follows every page (130 servers, pages of 20) and only returns that host', async () => {
      const { sim, clients } = await bed({ hosts: ['big', 'other'], serversPerHost: 130, maxPageSize: 20 });
      const servers = await clients.nova.listServersOnHost('big');
      const expected = sim.state
        .serversOnHost('big')
        .map((s) => s.id)
        .sort();
      assert.deepEqual(servers.map((s) => s.id).sort(), expected);
      assert.equal(new Set(servers.map((s) => s.id)).size, 130);
      assert.ok(servers.every((s) => s.host === 'big' && s.projectId !== '' && s.status === 'ACTIVE'));
      assert.equal(sim.novaCalls('GET', /servers\/detail$/).length, 7);
    });

    it('handles an exact multiple of the page size (Nova adds a next link to the last full page)', async () => {
      const { sim, clients } = await bed({ hosts: ['h'], serversPerHost: 120, maxPageSize: 20 });
      const servers = await clients.nova.listServersOnHost('h');
      assert.equal(servers.length, 120);
      assert.equal(sim.novaCalls('GET', /servers\/detail$/).length, 7);
    });

    it('sees servers created after start-up (no caching)', async () => {
      const { sim, clients } = await bed({ hosts: ['h'], serversPerHost: 1 });
      assert.equal((await clients.nova.listServersOnHost('h')).length, 1);
      const project = [...sim.state.projects.values()][1];
      sim.state.addServer('h', project?.id ?? '');
      assert.equal((await clients.nova.listServersOnHost('h')).length, 2);
    });

    it('returns an empty list for a host without servers', async () => {
      const { clients } = await bed({ hosts: ['empty'], serversPerHost: 0 });
      assert.deepEqual(await clients.nova.listServersOnHost('empty'), []);
    });
  });

  describe('reset to error', () => {
    it('resets all of 150 servers with bounded concurrency; the change shows in later GETs', async () => {
      const { sim, clients } = await bed({
        hosts: ['h'],
        serversPerHost: 150,
        maxPageSize: 20,
        latencyMs: 5,
      });
      const servers = await clients.nova.listServersOnHost('h');
      const outcomes = await resetServersToError(
        clients.nova,
        servers.map((s) => s.id),
        8,
      );
      assert.equal(outcomes.length, 150);
      assert.ok(outcomes.every((o) => o.ok));
      assert.ok(sim.state.serversOnHost('h').every((s) => s.status === 'ERROR' && s.vmState === 'error'));
      const resets = sim.novaCalls('POST', /\/action$/);
      assert.equal(resets.length, 150);
      assert.ok(resets.every((c) => c.status === 202));
      const peak = peakOverlap(resets);
      assert.ok(peak <= 8, `peak concurrency ${peak}`);
      assert.ok(peak >= 2, `resets ran one at a time (peak ${peak})`);
      const one = await clients.nova.getServer(servers[0]?.id ?? '');
      assert.equal(one.status, 'ERROR');
      assert.equal(one.vmState, 'error');
    });

    it('reports a server that vanished without failing the others', async () => {
      const { sim, clients } = await bed({ hosts: ['h'], serversPerHost: 3 });
      const ids = [...sim.state.serversOnHost('h').map((s) => s.id), '00000000-0000-4000-8000-000000000000'];
      const outcomes = await resetServersToError(clients.nova, ids, 4);
      assert.deepEqual(
        outcomes.map((o) => o.ok),
        [true, true, true, false],
      );
      assert.equal(outcomes[3]?.retryable, false);
      assert.match(
        outcomes[3]?.error ?? '',
        /HTTP 404 itemNotFound: Instance 00000000-0000-4000-8000-000000000000 could not be found/,
      );
    });
  });

  describe('failures', () => {
    it('converges when every second Nova call answers 503', async () => {
      // Calls interleave, so one call can meet the failing slot several times in a row: a generous budget.
      const { sim, clients } = await bed(
        { hosts: ['h', 'x'], serversPerHost: 130, maxPageSize: 20, failures: { everyNth: 2 } },
        { retry: { maxAttempts: 16, baseDelayMs: 1, maxDelayMs: 10, deadlineMs: 20_000 } },
      );
      await clients.nova.forceDown('h', 'doctor: host down');
      const servers = await clients.nova.listServersOnHost('h');
      assert.equal(servers.length, 130);
      const outcomes = await resetServersToError(
        clients.nova,
        servers.map((s) => s.id),
        16,
      );
      assert.ok(
        outcomes.every((o) => o.ok),
        JSON.stringify(outcomes.filter((o) => !o.ok)),
      );
      assert.equal(sim.state.computeService('h')?.forcedDown, true);
      assert.ok(sim.state.serversOnHost('h').every((s) => s.status === 'ERROR'));
      const injected = sim.novaCalls().filter((c) => c.injected);
      assert.ok(injected.length >= 100, `only ${injected.length} injected failures`);
      assert.ok(injected.every((c) => c.status === 503));
    });

    it('converges when a seeded half of the calls fail at random', async () => {
      const { sim, clients } = await bed(
        { hosts: ['h'], serversPerHost: 60, maxPageSize: 20, failures: { ratio: 0.5, seed: 42 } },
        { retry: { maxAttempts: 16, baseDelayMs: 1, maxDelayMs: 10, deadlineMs: 20_000 } },
      );
      await clients.nova.forceDown('h', 'r');
      const servers = await clients.nova.listServersOnHost('h');
      const outcomes = await resetServersToError(
        clients.nova,
        servers.map((s) => s.id),
        16,
      );
      assert.equal(outcomes.filter((o) => !o.ok).length, 0);
      assert.ok(sim.state.serversOnHost('h').every((s) => s.status === 'ERROR'));
    });

    it('retries dropped connections', async () => {
      const { sim, clients } = await bed({
        hosts: ['h'],
        serversPerHost: 30,
        failures: { everyNth: 3, mode: 'reset' },
      });
      const servers = await clients.nova.listServersOnHost('h');
      const outcomes = await resetServersToError(
        clients.nova,
        servers.map((s) => s.id),
        4,
      );
      assert.ok(outcomes.every((o) => o.ok));
      assert.ok(sim.novaCalls().some((c) => c.injected && c.status === 0));
    });

    it('gives up after the retry budget with the last 503', async () => {
      const { sim, clients } = await bed({}, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
      await clients.nova.listComputeServices();
      sim.configure({ failures: { everyNth: 1 } });
      sim.clearCalls();
      await assert.rejects(clients.nova.listComputeServices(), {
        message: /HTTP 503 serviceUnavailable: injected failure/,
      });
      assert.equal(sim.novaCalls().length, 3);
    });

    it('never retries a 4xx: 404 and 403 are tried once', async () => {
      const { sim, clients } = await bed();
      await clients.nova.listComputeServices();
      sim.clearCalls();
      await assert.rejects(clients.nova.resetServerToError('00000000-0000-4000-8000-000000000000'), {
        message: /HTTP 404/,
      });
      assert.equal(sim.novaCalls().length, 1);

      const member = await bed();
      member.clients.close();
      const yaml = member.sim
        .cloudsYaml()
        .replace('username: admin', 'username: demo')
        .replace('admin-secret', 'demo-secret')
        .replace('project_name: admin', 'project_name: tenant-a');
      const { createOpenStackClients } = await import('../../../src/openstack/factory.js');
      const nonAdmin = await createOpenStackClients(yaml, 'openstack', {
        retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 2 },
      });
      try {
        await assert.rejects(nonAdmin.nova.forceDown('compute-0', 'x'), (err: unknown) => {
          assert.ok(err instanceof OpenStackHttpError);
          assert.equal(err.status, 403);
          assert.match(err.message, /forbidden: Policy doesn't allow os_compute_api:os-services:list/);
          return true;
        });
        assert.equal(member.sim.novaCalls('GET', /os-services$/).length, 1);
        await assert.rejects(nonAdmin.nova.listServersOnHost('compute-0'), { message: /HTTP 403/ });
      } finally {
        nonAdmin.close();
      }
    });

    it('times out a call that gets no answer and retries it within the budget', async () => {
      const { sim, clients } = await bed(
        {},
        { timeoutMs: 100, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
      );
      await clients.nova.listComputeServices();
      sim.configure({ latencyMs: 400 });
      sim.clearCalls();
      await assert.rejects(clients.nova.listComputeServices(), { message: /no response within 100 ms/ });
    });
  });
});
