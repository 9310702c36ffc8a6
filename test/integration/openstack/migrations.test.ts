// Migrations and service disable/enable: the simulator keeps the api-ref contract (raw HTTP), and the
// client drives it at the modern and at older microversions.
import assert from 'node:assert/strict';
import { simCredentials, type NovaSim } from '../../../tools/nova-sim/index.js';
import { useBed } from './harness.js';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 5000;
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function adminToken(sim: NovaSim): Promise<string> {
  const { admin } = simCredentials;
  const res = await fetch(`${sim.authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: admin.username, domain: { name: 'Default' }, password: admin.password } },
        },
        scope: { project: { name: admin.project, domain: { name: 'Default' } } },
      },
    }),
  });
  return res.headers.get('x-subject-token') ?? '';
}

async function action(sim: NovaSim, token: string, id: string, body: unknown, version = '2.96') {
  const res = await fetch(`${sim.url}/compute/v2.1/servers/${id}/action`, {
    method: 'POST',
    headers: {
      'x-auth-token': token,
      'content-type': 'application/json',
      'openstack-api-version': `compute ${version}`,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('Nova migrations and service disable', function () {
  this.timeout(20_000);
  const bed = useBed();

  it('live-migrates a server to another enabled host, recorded in os-migrations', async () => {
    const { sim, clients } = await bed({ hosts: ['h1', 'h2', 'h3'], serversPerHost: 1, migrationMs: 50 });
    await clients.nova.disableService('h3', 'maintenance of h3');
    const server = sim.state.serversOnHost('h1')[0];
    assert.ok(server);
    await clients.nova.liveMigrateServer(server.id);
    assert.equal(sim.state.servers.get(server.id)?.status, 'MIGRATING');
    const running = await clients.nova.listServerMigrations(server.id);
    assert.equal(running[0]?.status, 'running');
    assert.equal(running[0]?.type, 'live-migration');
    const done = await waitFor('completed', async () => {
      const [m] = await clients.nova.listServerMigrations(server.id);
      return m?.status === 'completed' ? m : undefined;
    });
    assert.equal(done.sourceHost, 'h1');
    assert.equal(done.destHost, 'h2', 'the disabled h3 is never chosen');
    assert.equal(sim.state.servers.get(server.id)?.host, 'h2');
    assert.equal(sim.state.servers.get(server.id)?.status, 'ACTIVE');
    const sent = sim.novaCalls('POST', /\/action$/)[0];
    assert.ok(sent);
  });

  it('fails a migration on demand: the server stays ACTIVE on its host and the migration is error', async () => {
    const { sim, clients } = await bed({ hosts: ['h1', 'h2'], serversPerHost: 1, migrationMs: 20 });
    const server = sim.state.serversOnHost('h1')[0];
    assert.ok(server);
    sim.configure({ failMigrations: [server.name] });
    await clients.nova.liveMigrateServer(server.id);
    await waitFor('error', async () => {
      const [m] = await clients.nova.listServerMigrations(server.id);
      return m?.status === 'error' ? m : undefined;
    });
    assert.equal(sim.state.servers.get(server.id)?.host, 'h1');
    assert.equal(sim.state.servers.get(server.id)?.status, 'ACTIVE');
  });

  it('cold-migrates to VERIFY_RESIZE on the new host, then confirmResize makes it ACTIVE', async () => {
    const { sim, clients } = await bed({ hosts: ['h1', 'h2'], serversPerHost: 1, migrationMs: 20 });
    const server = sim.state.serversOnHost('h1')[0];
    assert.ok(server);
    await clients.nova.migrateServer(server.id, 'h2');
    assert.equal(sim.state.servers.get(server.id)?.status, 'RESIZE');
    await waitFor('finished', () =>
      sim.state.servers.get(server.id)?.status === 'VERIFY_RESIZE' ? true : undefined,
    );
    assert.equal(sim.state.servers.get(server.id)?.host, 'h2');
    await clients.nova.confirmResize(server.id);
    assert.equal(sim.state.servers.get(server.id)?.status, 'ACTIVE');
    const [m] = await clients.nova.listServerMigrations(server.id);
    assert.equal(m?.status, 'confirmed');
    assert.equal(m?.type, 'migration');
  });

  it('disables with a reason and enables again, at 2.53+ and on the legacy API', async () => {
    for (const maxVersion of ['2.96', '2.52']) {
      const { sim, clients } = await bed({ hosts: ['h1', 'h2'], minVersion: '2.11', maxVersion });
      const result = await clients.nova.disableService('h1', 'planned maintenance');
      assert.equal(result.api, maxVersion === '2.96' ? 'uuid' : 'legacy');
      const service = sim.state.computeService('h1');
      assert.equal(service?.status, 'disabled');
      assert.equal(service?.disabledReason, 'planned maintenance');
      assert.equal(service?.forcedDown, false, 'a host in maintenance is not forced down');
      await clients.nova.enableService(
        'h1',
        result.serviceId !== undefined ? { serviceId: result.serviceId } : {},
      );
      assert.equal(sim.state.computeService('h1')?.status, 'enabled');
      assert.equal(sim.state.computeService('h1')?.disabledReason, null);
    }
  });

  it('sends the live-migration body of older microversions (disk_over_commit below 2.25)', async () => {
    const { sim, clients } = await bed({
      hosts: ['h1', 'h2'],
      serversPerHost: 1,
      maxVersion: '2.24',
      migrationMs: 10,
    });
    const server = sim.state.serversOnHost('h1')[0];
    assert.ok(server);
    await clients.nova.liveMigrateServer(server.id);
    await waitFor('moved', () => (sim.state.servers.get(server.id)?.host === 'h2' ? true : undefined));
  });

  it('refuses what Nova refuses: 409 when not ACTIVE, 400 for bad bodies and hosts', async () => {
    const { sim } = await bed({ hosts: ['h1', 'h2'], serversPerHost: 1, migrationMs: 5000 });
    const token = await adminToken(sim);
    const server = sim.state.serversOnHost('h1')[0];
    assert.ok(server);
    const id = server.id;
    for (const body of [
      { 'os-migrateLive': { host: null } },
      { 'os-migrateLive': { host: null, block_migration: 'yes' } },
      { 'os-migrateLive': { host: null, block_migration: 'auto', disk_over_commit: false } },
      { 'os-migrateLive': null },
      { migrate: { host: 'h2', extra: 1 } },
      { confirmResize: {} },
    ]) {
      const res = await action(sim, token, id, body);
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
    }
    assert.equal((await action(sim, token, id, { migrate: { host: 'h2' } }, '2.55')).status, 400);
    assert.equal(
      (await action(sim, token, id, { 'os-migrateLive': { host: null, block_migration: 'auto' } }, '2.24'))
        .status,
      400,
    );
    assert.match(
      (await action(sim, token, id, { 'os-migrateLive': { host: 'nope', block_migration: 'auto' } })).text,
      /Compute host nope could not be found/,
    );
    assert.match(
      (await action(sim, token, id, { 'os-migrateLive': { host: 'h1', block_migration: 'auto' } })).text,
      /to current host/,
    );
    assert.equal((await action(sim, token, id, { confirmResize: null })).status, 409);
    assert.equal(
      (await action(sim, token, id, { 'os-migrateLive': { host: null, block_migration: 'auto' } })).status,
      202,
    );
    const again = await action(sim, token, id, { 'os-migrateLive': { host: null, block_migration: 'auto' } });
    assert.equal(again.status, 409);
    assert.match(again.text, /conflictingRequest.*task_state migrating/);
    assert.equal((await action(sim, token, id, { migrate: null })).status, 409);
    // In-progress live migrations per server from 2.23 only.
    const listed = await fetch(`${sim.url}/compute/v2.1/servers/${id}/migrations`, {
      headers: { 'x-auth-token': token, 'openstack-api-version': 'compute 2.96' },
    });
    assert.equal(((await listed.json()) as { migrations: unknown[] }).migrations.length, 1);
    const old = await fetch(`${sim.url}/compute/v2.1/servers/${id}/migrations`, {
      headers: { 'x-auth-token': token, 'openstack-api-version': 'compute 2.22' },
    });
    assert.equal(old.status, 404);
    const broken = sim.state.addServer('h2', server.tenantId);
    broken.vmState = 'error';
    assert.equal(
      (await action(sim, token, broken.id, { 'os-migrateLive': { host: null, block_migration: 'auto' } }))
        .status,
      409,
    );
    // No other enabled host: nothing to schedule onto.
    sim.state.computeService('h1')!.status = 'disabled';
    const stuck = await action(sim, token, broken.id, { migrate: null });
    assert.equal(stuck.status, 409);
    broken.vmState = 'active';
    const noHost = await action(sim, token, broken.id, { migrate: null });
    assert.equal(noHost.status, 400);
    assert.match(noHost.text, /No valid host/);
  });
});
