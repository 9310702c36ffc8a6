import assert from 'node:assert/strict';
import { createOpenStackClients } from '../../../src/openstack/factory.js';
import { OpenStackHttpError } from '../../../src/openstack/errors.js';
import { start } from '../../../tools/nova-sim/index.js';
import { quickRetry, tokenRequests, useBed } from './harness.js';

describe('OpenStack client: Keystone auth against the simulator', function () {
  this.timeout(20_000);
  const bed = useBed();

  it('authenticates with a password and uses the public compute endpoint by default', async () => {
    const { sim, clients } = await bed();
    const servers = await clients.nova.listServersOnHost('compute-0');
    assert.equal(servers.length, 2);
    assert.equal(tokenRequests(sim).length, 1);
    const nova = sim.novaCalls('GET', /servers\/detail$/);
    assert.equal(nova.length, 1);
    assert.ok(nova[0]?.path.startsWith('/compute/v2.1/'), nova[0]?.path);
    const [token] = [...sim.state.tokens.values()];
    assert.deepEqual(token?.methods, ['password']);
  });

  it('authenticates with an application credential', async () => {
    const { sim, clients } = await bed({}, {}, { auth: 'application-credential' });
    await clients.nova.forceDown('compute-1', 'doctor: test');
    assert.equal(sim.state.computeService('compute-1')?.forcedDown, true);
    const [token] = [...sim.state.tokens.values()];
    assert.deepEqual(token?.methods, ['application_credential']);
  });

  it('picks the internal endpoint (with its project id) and another region when told', async () => {
    const internal = await bed({}, {}, { interface: 'internal' });
    await internal.clients.nova.listServersOnHost('compute-0');
    const path = internal.sim.novaCalls('GET', /servers\/detail$/)[0]?.path ?? '';
    assert.match(path, /^\/compute-internal\/v2\.1\/[0-9a-f]{32}\/servers\/detail$/);

    const other = await bed({}, {}, { region: 'RegionTwo' });
    await other.clients.nova.listServersOnHost('compute-0');
    assert.ok(other.sim.novaCalls('GET', /servers\/detail$/)[0]?.path.startsWith('/compute-r2/v2.1/'));
  });

  it('explains a region the catalog does not have', async () => {
    const { clients } = await bed({}, {}, { region: 'Atlantis' });
    await assert.rejects(clients.nova.listServersOnHost('compute-0'), {
      message: /no compute endpoint with interface public in region Atlantis .*offered:/,
    });
  });

  it("refuses wrong credentials with Keystone's message and does not retry them", async () => {
    const sim = await start();
    try {
      const yaml = sim.cloudsYaml().replace('admin-secret', 'wrong');
      const clients = await createOpenStackClients(yaml, 'openstack', { retry: quickRetry });
      try {
        await assert.rejects(clients.nova.forceDown('compute-0', 'x'), (err: unknown) => {
          assert.ok(err instanceof OpenStackHttpError);
          assert.equal(err.status, 401);
          assert.match(
            err.message,
            /identity POST \/identity\/v3\/auth\/tokens: HTTP 401 The request you have made requires authentication/,
          );
          return true;
        });
        assert.equal(tokenRequests(sim).length, 1);
      } finally {
        clients.close();
      }
    } finally {
      await sim.stop();
    }
  });

  it('refreshes the token before it expires instead of waiting for a 401', async () => {
    const { sim, clients } = await bed({ tokenTtlMs: 1500 }, { refreshMarginMs: 500 });
    await clients.nova.listServersOnHost('compute-0');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await clients.nova.listServersOnHost('compute-0');
    assert.equal(tokenRequests(sim).length, 2);
    assert.equal(sim.novaCalls().filter((c) => c.status === 401).length, 0);
    assert.equal(clients.session.authenticationCount, 2);
  });

  it('re-authenticates once when Nova answers 401 (revoked or expired token)', async () => {
    const { sim, clients } = await bed();
    await clients.nova.listServersOnHost('compute-0');
    sim.state.revokeTokens();
    await clients.nova.listServersOnHost('compute-0');
    sim.state.expireTokens();
    await clients.nova.resetServerToError(sim.state.serversOnHost('compute-0')[0]?.id ?? '');
    assert.equal(tokenRequests(sim).length, 3);
    assert.equal(sim.novaCalls().filter((c) => c.status === 401).length, 2);
  });

  it('re-authenticates exactly once per call: a second 401 is an error', async () => {
    // Tokens that are already expired when issued: every Nova call sees 401.
    const { sim, clients } = await bed({ tokenTtlMs: 0 });
    await assert.rejects(clients.nova.listComputeServices('compute-0'), (err: unknown) => {
      assert.ok(err instanceof OpenStackHttpError);
      assert.equal(err.status, 401);
      return true;
    });
    const unauthorized = sim.novaCalls().filter((c) => c.status === 401);
    assert.equal(unauthorized.length, 2);
  });

  it('shares one authentication between concurrent first calls', async () => {
    const { sim, clients } = await bed({ latencyMs: 20 });
    await Promise.all(Array.from({ length: 10 }, () => clients.nova.listComputeServices()));
    assert.equal(tokenRequests(sim).length, 1);
  });

  it('retries Keystone 503s like any 5xx', async () => {
    const { sim, clients } = await bed({
      failures: { everyNth: 2, scope: 'all', pathPattern: /auth\/tokens/ },
    });
    // The first token request passes; expire it so the second (failing) and third are needed.
    await clients.nova.listComputeServices();
    sim.state.expireTokens();
    await clients.nova.listComputeServices();
    const statuses = tokenRequests(sim).map((c) => c.status);
    assert.deepEqual(statuses, [201, 503, 201]);
  });
});
