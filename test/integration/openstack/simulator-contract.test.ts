// The simulator must refuse what the OpenStack api-ref refuses; otherwise client tests against it prove
// nothing. Raw HTTP here, independent of the client under test.
import assert from 'node:assert/strict';
import { type NovaSim, simCredentials, start } from '../../../tools/nova-sim/index.js';

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers.set('content-type', 'application/json');
  }
  const res = await fetch(url, { ...init, headers, body, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

function passwordAuth(username: string, password: string, project: string): unknown {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: username, domain: { name: 'Default' }, password } },
      },
      scope: { project: { name: project, domain: { name: 'Default' } } },
    },
  };
}

describe('Nova simulator contract', function () {
  this.timeout(20_000);
  let sim: NovaSim;
  let adminToken: string;
  let memberToken: string;
  let nova: string;

  async function token(username: string, password: string, project: string): Promise<string> {
    const res = await call(`${sim.authUrl}/auth/tokens`, {
      method: 'POST',
      json: passwordAuth(username, password, project),
    });
    assert.equal(res.status, 201, res.text);
    return res.headers.get('x-subject-token') ?? '';
  }

  function as(
    tokenValue: string,
    version?: string,
    extra: Record<string, string> = {},
  ): Record<string, string> {
    return {
      'x-auth-token': tokenValue,
      ...(version !== undefined ? { 'openstack-api-version': `compute ${version}` } : {}),
      ...extra,
    };
  }

  beforeEach(async () => {
    sim = await start({ hosts: ['h1', 'h2'], serversPerHost: 25, maxPageSize: 20 });
    nova = `${sim.url}/compute/v2.1`;
    const { admin, member } = simCredentials;
    adminToken = await token(admin.username, admin.password, admin.project);
    memberToken = await token(member.username, member.password, member.project);
  });

  afterEach(async () => {
    await sim.stop();
  });

  describe('Keystone', () => {
    it('issues a scoped token with expiry, roles and catalog', async () => {
      const { admin } = simCredentials;
      const res = await call(`${sim.authUrl}/auth/tokens`, {
        method: 'POST',
        json: passwordAuth(admin.username, admin.password, admin.project),
      });
      assert.equal(res.status, 201);
      assert.ok((res.headers.get('x-subject-token') ?? '').length > 20);
      const body = res.body as {
        token: { expires_at: string; roles: { name: string }[]; catalog: { type: string }[] };
      };
      assert.ok(Date.parse(body.token.expires_at) > Date.now());
      assert.ok(body.token.roles.some((r) => r.name === 'admin'));
      assert.ok(body.token.catalog.some((s) => s.type === 'compute'));
    });

    it('refuses a wrong password, an unknown user and a project the user has no role on with 401', async () => {
      for (const [user, password, project] of [
        ['admin', 'nope', 'admin'],
        ['nobody', 'x', 'admin'],
        ['demo', 'demo-secret', 'admin'],
      ] as const) {
        const res = await call(`${sim.authUrl}/auth/tokens`, {
          method: 'POST',
          json: passwordAuth(user, password, project),
        });
        assert.equal(res.status, 401, `${user}/${project}`);
        assert.equal(res.headers.get('x-subject-token'), null);
      }
    });

    it('authenticates an application credential, which may not request a scope', async () => {
      const { id, secret } = simCredentials.applicationCredential;
      const body = {
        auth: { identity: { methods: ['application_credential'], application_credential: { id, secret } } },
      };
      assert.equal((await call(`${sim.authUrl}/auth/tokens`, { method: 'POST', json: body })).status, 201);
      const scoped = {
        auth: { ...body.auth, scope: { project: { name: 'admin', domain: { name: 'Default' } } } },
      };
      assert.equal((await call(`${sim.authUrl}/auth/tokens`, { method: 'POST', json: scoped })).status, 401);
      const wrong = {
        auth: {
          identity: { methods: ['application_credential'], application_credential: { id, secret: 'x' } },
        },
      };
      assert.equal((await call(`${sim.authUrl}/auth/tokens`, { method: 'POST', json: wrong })).status, 401);
    });

    it("answers malformed bodies with 400 in Keystone's error format", async () => {
      const noAuth = await call(`${sim.authUrl}/auth/tokens`, { method: 'POST', json: { nope: 1 } });
      assert.equal(noAuth.status, 400);
      assert.equal((noAuth.body as { error: { code: number } }).error.code, 400);
      const noMethods = await call(`${sim.authUrl}/auth/tokens`, {
        method: 'POST',
        json: { auth: { identity: {} } },
      });
      assert.equal(noMethods.status, 400);
      const notJson = await call(`${sim.authUrl}/auth/tokens`, {
        method: 'POST',
        body: '{broken',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(notJson.status, 400);
    });

    it('gives an unscoped token no catalog, and Nova refuses it', async () => {
      const { admin } = simCredentials;
      const body = passwordAuth(admin.username, admin.password, admin.project) as {
        auth: Record<string, unknown>;
      };
      delete body.auth.scope;
      const res = await call(`${sim.authUrl}/auth/tokens`, { method: 'POST', json: body });
      assert.equal(res.status, 201);
      assert.equal((res.body as { token: { catalog?: unknown } }).token.catalog, undefined);
      const unscoped = res.headers.get('x-subject-token') ?? '';
      assert.equal((await call(`${nova}/os-services`, { headers: as(unscoped) })).status, 401);
    });
  });

  describe('tokens at Nova', () => {
    it('answers 401 without, with a bad, with a revoked and with an expired token', async () => {
      assert.equal((await call(`${nova}/os-services`)).status, 401);
      assert.equal((await call(`${nova}/os-services`, { headers: as('bogus') })).status, 401);
      assert.equal((await call(`${nova}/os-services`, { headers: as(adminToken) })).status, 200);
      sim.state.expireTokens();
      const expired = await call(`${nova}/os-services`, { headers: as(adminToken) });
      assert.equal(expired.status, 401);
      assert.match(expired.headers.get('www-authenticate') ?? '', /^Keystone uri=/);
    });

    it('serves version documents without a token', async () => {
      const root = await call(`${sim.url}/`);
      const versions = (root.body as { versions: { id: string; version: string; min_version: string }[] })
        .versions;
      assert.deepEqual(
        versions.map((v) => [v.id, v.min_version, v.version]),
        [
          ['v2.0', '', ''],
          ['v2.1', '2.1', '2.96'],
        ],
      );
      const v21 = await call(`${nova}/`);
      assert.equal((v21.body as { version: { version: string } }).version.version, '2.96');
    });

    it("refuses a project id in the URL that is not the token's", async () => {
      const res = await call(`${sim.url}/compute-internal/v2.1/${'0'.repeat(32)}/os-services`, {
        headers: as(adminToken),
      });
      assert.equal(res.status, 400);
      assert.match(JSON.stringify(res.body), /doesn't match Context's project_id/);
    });
  });

  describe('microversions', () => {
    it('defaults to the minimum, honours both headers and "latest", and says which it used', async () => {
      const plain = await call(`${nova}/os-services`, { headers: as(adminToken) });
      assert.equal(plain.headers.get('openstack-api-version'), 'compute 2.1');
      const ids = (plain.body as { services: { id: unknown }[] }).services.map((s) => typeof s.id);
      assert.ok(ids.every((t) => t === 'number'));

      const latest = await call(`${nova}/os-services`, { headers: as(adminToken, 'latest') });
      assert.equal(latest.headers.get('openstack-api-version'), 'compute 2.96');
      assert.equal(latest.headers.get('x-openstack-nova-api-version'), '2.96');
      const uuids = (latest.body as { services: { id: unknown }[] }).services.map((s) => String(s.id));
      assert.ok(uuids.every((id) => /^[0-9a-f-]{36}$/.test(id)));

      const legacy = await call(`${nova}/os-services`, {
        headers: { 'x-auth-token': adminToken, 'x-openstack-nova-api-version': '2.30' },
      });
      assert.equal(legacy.headers.get('openstack-api-version'), 'compute 2.30');
    });

    it('answers 406 outside the range and 400 for a malformed version', async () => {
      const high = await call(`${nova}/os-services`, { headers: as(adminToken, '2.97') });
      assert.equal(high.status, 406);
      assert.match(
        JSON.stringify(high.body),
        /Version 2.97 is not supported by the API. Minimum is 2.1 and maximum is 2.96/,
      );
      const bad = await call(`${nova}/os-services`, { headers: as(adminToken, 'two') });
      assert.equal(bad.status, 400);
      sim.configure({ minVersion: '2.11', maxVersion: '2.52' });
      assert.equal((await call(`${nova}/os-services`, { headers: as(adminToken, '2.53') })).status, 406);
      assert.equal((await call(`${nova}/os-services`, { headers: as(adminToken, '2.10') })).status, 406);
    });
  });

  describe('os-services', () => {
    const put = (path: string, version: string, json: unknown, tokenValue = adminToken) =>
      call(`${nova}/os-services/${path}`, { method: 'PUT', headers: as(tokenValue, version), json });

    it('filters by binary and host', async () => {
      const res = await call(`${nova}/os-services?binary=nova-compute&host=h2`, {
        headers: as(adminToken, '2.96'),
      });
      const services = (res.body as { services: { host: string; binary: string; forced_down: boolean }[] })
        .services;
      assert.deepEqual(
        services.map((s) => [s.host, s.binary, s.forced_down]),
        [['h2', 'nova-compute', false]],
      );
      const all = await call(`${nova}/os-services`, { headers: as(adminToken, '2.96') });
      assert.equal((all.body as { services: unknown[] }).services.length, 4);
    });

    it('updates by UUID at 2.53+, refuses ids that are not UUIDs with 400 "Invalid uuid" and unknown UUIDs with 404', async () => {
      const uuid = sim.state.computeService('h1')?.uuid ?? '';
      const ok = await put(uuid, '2.53', { forced_down: true, status: 'disabled', disabled_reason: 'r' });
      assert.equal(ok.status, 200);
      assert.equal((ok.body as { service: { forced_down: boolean; state: string } }).service.state, 'down');
      const legacy = await put('force-down', '2.53', { forced_down: true });
      assert.equal(legacy.status, 400);
      assert.deepEqual(legacy.body, { badRequest: { code: 400, message: 'Invalid uuid force-down' } });
      const intId = String(sim.state.computeService('h1')?.intId);
      const byInt = await put(intId, '2.96', { forced_down: true }, memberToken);
      assert.equal(byInt.status, 400, 'the id is checked before the policy, as Nova does');
      assert.deepEqual(byInt.body, { badRequest: { code: 400, message: `Invalid uuid ${intId}` } });
      assert.equal(
        (await put('3f0e0a9c-0000-4000-8000-000000000000', '2.96', { forced_down: true })).status,
        404,
      );
    });

    it('refuses bad 2.53 bodies with 400 badRequest', async () => {
      const uuid = sim.state.computeService('h1')?.uuid ?? '';
      for (const body of [
        { forced_down: 'yes' },
        { forced_down: true, extra: 1 },
        { status: 'enabled', disabled_reason: 'why' },
        { disabled_reason: 'alone' },
        {},
        { status: 'sleeping' },
        { status: 'disabled', disabled_reason: 'x'.repeat(256) },
        [],
      ]) {
        const res = await put(uuid, '2.96', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal((res.body as { badRequest: { code: number } }).badRequest.code, 400);
      }
      const scheduler = sim.state.services.find((s) => s.binary === 'nova-scheduler')?.uuid ?? '';
      assert.equal((await put(scheduler, '2.96', { forced_down: true })).status, 400);
      const notJson = await call(`${nova}/os-services/${uuid}`, {
        method: 'PUT',
        headers: { ...as(adminToken, '2.96'), 'content-type': 'application/json' },
        body: '{"forced_down": tru',
      });
      assert.equal(notJson.status, 400);
      assert.equal(sim.state.computeService('h1')?.forcedDown, false);
    });

    it('refuses a body that is not declared application/json with 415 badMediaType', async () => {
      const uuid = sim.state.computeService('h1')?.uuid ?? '';
      const body = JSON.stringify({ forced_down: true });
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', undefined]) {
        const headers = new Headers(as(adminToken, '2.96'));
        if (type !== undefined) headers.set('content-type', type);
        else headers.delete('content-type');
        const blob = type === undefined ? new Blob([body]) : body;
        const res = await call(`${nova}/os-services/${uuid}`, { method: 'PUT', headers, body: blob });
        assert.equal(res.status, 415, `${type ?? 'no content-type'}: ${res.text}`);
        assert.deepEqual(res.body, { badMediaType: { code: 415, message: 'Unsupported Content-Type' } });
      }
      assert.equal(sim.state.computeService('h1')?.forcedDown, false, 'nothing changed');
      const vendorType = await call(`${nova}/os-services/${uuid}`, {
        method: 'PUT',
        headers: {
          ...as(adminToken, '2.96'),
          'content-type': 'application/vnd.openstack.compute+json; charset=UTF-8',
        },
        body,
      });
      assert.equal(vendorType.status, 200, vendorType.text);
      const server = sim.state.serversOnHost('h1')[0]!;
      const reset = await call(`${nova}/servers/${server.id}/action`, {
        method: 'POST',
        headers: { ...as(adminToken, '2.96'), 'content-type': 'text/plain' },
        body: JSON.stringify({ 'os-resetState': { state: 'error' } }),
      });
      assert.equal(reset.status, 415);
      assert.notEqual(sim.state.serversOnHost('h1')[0]!.vmState, 'error');
    });

    it('offers legacy force-down from 2.11 to 2.52 only, with its own validation', async () => {
      assert.equal((await put('force-down', '2.10', { host: 'h1', binary: 'nova-compute' })).status, 404);
      const uuid = sim.state.computeService('h1')?.uuid ?? '';
      assert.equal((await put(uuid, '2.52', { forced_down: true })).status, 404);
      assert.equal((await put('force-down', '2.52', { host: 'h1', binary: 'nova-compute' })).status, 400);
      assert.equal((await put('force-down', '2.52', { host: 'h1', forced_down: true })).status, 400);
      assert.equal(
        (await put('force-down', '2.52', { host: 'nope', binary: 'nova-compute', forced_down: true })).status,
        404,
      );
      const ok = await put('force-down', '2.52', { host: 'h1', binary: 'nova-compute', forced_down: true });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, { service: { host: 'h1', binary: 'nova-compute', forced_down: true } });
      assert.equal(
        (await put('disable-log-reason', '2.52', { host: 'h1', binary: 'nova-compute' })).status,
        400,
      );
      assert.equal(sim.state.computeService('h1')?.forcedDown, true);
    });

    it('is admin only', async () => {
      assert.equal((await call(`${nova}/os-services`, { headers: as(memberToken, '2.96') })).status, 403);
      const uuid = sim.state.computeService('h1')?.uuid ?? '';
      assert.equal((await put(uuid, '2.96', { forced_down: true }, memberToken)).status, 403);
    });
  });

  describe('servers', () => {
    it('pages with limit, marker and a next link, clamped to the max page size', async () => {
      const first = await call(`${nova}/servers/detail?all_tenants=1&host=h1&limit=100`, {
        headers: as(adminToken, '2.96'),
      });
      const body = first.body as {
        servers: { id: string }[];
        servers_links: { rel: string; href: string }[];
      };
      assert.equal(body.servers.length, 20);
      const next = new URL(body.servers_links[0]?.href ?? '');
      assert.equal(body.servers_links[0]?.rel, 'next');
      assert.equal(next.searchParams.get('marker'), body.servers.at(-1)?.id);
      assert.equal(next.searchParams.get('host'), 'h1');
      const second = await call(next.href, { headers: as(adminToken, '2.96') });
      const secondBody = second.body as { servers: { id: string }[]; servers_links?: unknown };
      assert.equal(secondBody.servers.length, 5);
      assert.equal(secondBody.servers_links, undefined);
      const small = await call(`${nova}/servers/detail?all_tenants=1&limit=3`, { headers: as(adminToken) });
      assert.equal((small.body as { servers: unknown[] }).servers.length, 3);
    });

    it('refuses bad paging parameters with 400', async () => {
      const headers = as(adminToken, '2.96');
      assert.equal((await call(`${nova}/servers/detail?all_tenants=1&limit=abc`, { headers })).status, 400);
      assert.equal((await call(`${nova}/servers/detail?all_tenants=1&limit=-1`, { headers })).status, 400);
      assert.equal((await call(`${nova}/servers/detail?all_tenants=1&marker=nope`, { headers })).status, 400);
      assert.equal((await call(`${nova}/servers/detail?all_tenants=maybe`, { headers })).status, 400);
    });

    it('keeps all_tenants and the host filter for admins', async () => {
      const denied = await call(`${nova}/servers/detail?all_tenants=1`, { headers: as(memberToken) });
      assert.equal(denied.status, 403);
      // A member asking for a host gets the filter ignored and no host attribute (as in Nova).
      const own = await call(`${nova}/servers/detail?host=h1&limit=1000`, { headers: as(memberToken) });
      const servers = (own.body as { servers: Record<string, unknown>[] }).servers;
      const project = sim.state.projectByName('tenant-a')?.id;
      const owned = [...sim.state.servers.values()].filter((s) => s.tenantId === project).length;
      assert.equal(servers.length, Math.min(owned, 20));
      assert.ok(servers.every((s) => s.tenant_id === project && !('OS-EXT-SRV-ATTR:host' in s)));
    });

    it('resets state with 202 and no body, visible in later GETs', async () => {
      const id = sim.state.serversOnHost('h1')[0]?.id ?? '';
      const res = await call(`${nova}/servers/${id}/action`, {
        method: 'POST',
        headers: as(adminToken, '2.96'),
        json: { 'os-resetState': { state: 'error' } },
      });
      assert.equal(res.status, 202);
      assert.equal(res.text, '');
      const after = await call(`${nova}/servers/${id}`, { headers: as(adminToken, '2.96') });
      const server = (after.body as { server: Record<string, unknown> }).server;
      assert.equal(server.status, 'ERROR');
      assert.equal(server['OS-EXT-STS:vm_state'], 'error');
    });

    it('refuses bad actions with 400, unknown servers with 404 and members with 403', async () => {
      const id = sim.state.serversOnHost('h1')[0]?.id ?? '';
      const post = (json: unknown, tokenValue = adminToken, target = id) =>
        call(`${nova}/servers/${target}/action`, { method: 'POST', headers: as(tokenValue, '2.96'), json });
      for (const body of [
        { 'os-resetState': { state: 'deleted' } },
        { 'os-resetState': {} },
        { 'os-resetState': { state: 'error', extra: true } },
        { 'os-resetState': 'error' },
        { reboot: { type: 'HARD' }, 'os-resetState': { state: 'error' } },
        { 'os-frobnicate': {} },
      ]) {
        const res = await post(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok('badRequest' in (res.body as object));
      }
      const missing = await post(
        { 'os-resetState': { state: 'error' } },
        adminToken,
        '00000000-0000-4000-8000-000000000000',
      );
      assert.equal(missing.status, 404);
      assert.match(JSON.stringify(missing.body), /"itemNotFound":\{"code":404,"message":"Instance 00000000/);
      assert.equal((await post({ 'os-resetState': { state: 'error' } }, memberToken)).status, 403);
      assert.equal(sim.state.servers.get(id)?.status, 'ACTIVE');
    });

    it('answers unknown paths with 404 itemNotFound', async () => {
      const res = await call(`${nova}/os-hypervisors/detail`, { headers: as(adminToken) });
      assert.equal(res.status, 404);
      assert.ok('itemNotFound' in (res.body as object));
    });
  });

  describe('traffic controls', () => {
    it('records every call with method, path, status and time', async () => {
      sim.clearCalls();
      await call(`${nova}/os-services?binary=nova-compute`, { headers: as(adminToken, '2.60') });
      const [record] = sim.calls;
      assert.equal(record?.method, 'GET');
      assert.equal(record?.path, '/compute/v2.1/os-services');
      assert.equal(record?.query, 'binary=nova-compute');
      assert.equal(record?.status, 200);
      assert.equal(record?.microversion, '2.60');
      assert.ok((record?.startedAtMs ?? 0) > 0 && (record?.durationMs ?? -1) >= 0);
    });

    it('fails every Nth Nova call deterministically, only the first ones, and a seeded fraction reproducibly', async () => {
      sim.configure({ failures: { everyNth: 3 } });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await call(`${nova}/os-services`, { headers: as(adminToken) })).status);
      assert.deepEqual(statuses, [200, 200, 503, 200, 200, 503]);
      // A new injection counts from one: only the first matching call fails.
      sim.configure({ failures: { firstCalls: 1, pathPattern: /os-services$/ } });
      statuses.length = 0;
      await call(`${nova}/`, { headers: as(adminToken) });
      for (let i = 0; i < 3; i++)
        statuses.push((await call(`${nova}/os-services`, { headers: as(adminToken) })).status);
      assert.deepEqual(statuses, [503, 200, 200]);

      const pattern = async (seed: number) => {
        const s = await start({ failures: { ratio: 0.5, seed } });
        try {
          const out: number[] = [];
          for (let i = 0; i < 20; i++) out.push((await call(`${s.url}/compute/v2.1/`)).status);
          return out;
        } finally {
          await s.stop();
        }
      };
      const a = await pattern(7);
      assert.deepEqual(await pattern(7), a);
      const failed = a.filter((st) => st === 503).length;
      assert.ok(failed > 3 && failed < 17, `failed ${failed} of 20`);
    });

    it('adds the configured latency to each call', async () => {
      sim.configure({ latencyMs: 60 });
      const started = performance.now();
      await call(`${nova}/`);
      assert.ok(performance.now() - started >= 55);
    });
  });
});
