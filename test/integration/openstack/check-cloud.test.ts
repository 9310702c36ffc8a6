// `doctor check-cloud` against the simulator: a ready cloud passes; each thing remediation needs that
// is missing (password, region, policy rules, force-down microversions) fails with a line saying so.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheckCloudCommand } from '../../../src/openstack/check-cloud-command.js';
import { type NovaSim, type SimOptions, start } from '../../../tools/nova-sim/index.js';
import { adminOsEnv } from './harness.js';

describe('doctor check-cloud against the simulator', function () {
  this.timeout(60_000);
  let dir: string;
  let sim: NovaSim | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-check-cloud-'));
  });

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(
    simOptions: SimOptions,
    edit: (yaml: string) => string = (yaml) => yaml,
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number; lines: string[] }> {
    sim = await start(simOptions);
    const file = join(dir, 'clouds.yaml');
    writeFileSync(file, edit(sim.cloudsYaml()));
    let text = '';
    const args = Object.keys(env).length > 0 ? [] : ['--clouds-file', file, '--timeout-seconds', '5'];
    const code = await runCheckCloudCommand(args, env, (chunk) => (text += chunk));
    return { code, lines: text.trim().split('\n') };
  }

  const line = (lines: string[], name: string) => lines.find((l) => l.includes(` ${name}: `)) ?? '';

  it('passes a ready cloud, naming what it found, and changes nothing', async () => {
    const { code, lines } = await run({ hosts: ['compute-0', 'compute-1'] });
    assert.equal(code, 0, lines.join('\n'));
    assert.match(
      line(lines, 'keystone'),
      /^ok {4}keystone: authenticated at .* as admin, project \w+, roles: admin/,
    );
    assert.match(
      line(lines, 'catalog'),
      /compute endpoint \(public, RegionOne\): http:\/\/127\.0\.0\.1:\d+\/compute\/v2\.1/,
    );
    assert.match(
      line(lines, 'microversions'),
      /^ok {4}microversions: the cloud offers 2\.1\.\.2\.\d+; using 2\.\d+/,
    );
    assert.match(
      line(lines, 'nova-compute services'),
      /2 listed \(0 down, 0 forced down\): compute-0, compute-1/,
    );
    assert.match(line(lines, 'force-down permission'), /^ok .*allowed/);
    assert.match(line(lines, 'list servers of all projects'), /^ok .*allowed/);
    assert.match(line(lines, 'reset-state permission'), /^ok .*admin role/);
    assert.match(line(lines, 'list migrations (maintenance)'), /^ok .*os-migrations:index/);
    assert.match(line(lines, 'live-migration permission (maintenance)'), /^ok .*admin role/);
    assert.match(line(lines, 'cold-migration permission (maintenance)'), /^ok .*admin role/);
    assert.equal(lines.at(-1), 'the cloud is ready for doctor-operator');
    assert.ok(sim?.state.services.every((s) => !s.forcedDown && s.status === 'enabled'));
    assert.ok(sim?.novaCalls('PUT').every((c) => c.status === 404));
    // The action probes reached Nova's server lookup (a 400 would mean a body the api-ref refuses).
    const actions = sim?.novaCalls('POST', /\/action$/) ?? [];
    assert.equal(actions.length, 3);
    assert.ok(actions.every((c) => c.status === 404));
    assert.equal(sim?.state.migrations.length, 0);
  });

  it('reads OS_* variables when no clouds.yaml is given', async () => {
    sim = await start();
    let text = '';
    const code = await runCheckCloudCommand(
      [],
      { ...adminOsEnv(sim.authUrl), PATH: '/usr/bin' },
      (chunk) => (text += chunk),
    );
    assert.equal(code, 0, text);
  });

  it('fails a user without the admin role on every policy rule, naming each rule', async () => {
    const { code, lines } = await run({}, (yaml) =>
      yaml
        .replace('username: admin', 'username: demo')
        .replace('admin-secret', 'demo-secret')
        .replace('project_name: admin', 'project_name: tenant-a'),
    );
    assert.equal(code, 1);
    assert.match(line(lines, 'keystone'), /^ok .*roles: member, reader/);
    assert.match(line(lines, 'nova-compute services'), /^FAIL .*HTTP 403.*os_compute_api:os-services:list/);
    assert.match(
      line(lines, 'force-down permission'),
      /^FAIL .*refused by Nova's policy rule os_compute_api:os-services:update/,
    );
    assert.match(
      line(lines, 'list servers of all projects'),
      /^FAIL .*os_compute_api:servers:detail:get_all_tenants/,
    );
    assert.match(
      line(lines, 'reset-state permission'),
      /^FAIL .*os_compute_api:os-admin-actions:reset_state/,
    );
    // What only planned maintenance needs is a warning, naming the rule.
    for (const [name, rule] of [
      ['list migrations (maintenance)', 'os-migrations:index'],
      ['live-migration permission (maintenance)', 'os-migrate-server:migrate_live'],
      ['cold-migration permission (maintenance)', 'os-migrate-server:migrate'],
    ] as const)
      assert.match(line(lines, name), new RegExp(`^warn .*${rule}.*planned maintenance cannot move servers`));
    assert.equal(lines.at(-1), '4 check(s) failed');
  });

  it('fails on a wrong password and stops there', async () => {
    const { code, lines } = await run({}, (yaml) => yaml.replace('admin-secret', 'wrong'));
    assert.equal(code, 1);
    assert.match(line(lines, 'keystone'), /^FAIL {2}keystone: identity POST .*HTTP 401/);
    assert.equal(lines.length, 2);
  });

  it('fails when the catalog has no compute endpoint in the region', async () => {
    const { code, lines } = await run({}, (yaml) =>
      yaml.replace('region_name: RegionOne', 'region_name: Elsewhere'),
    );
    assert.equal(code, 1);
    assert.match(line(lines, 'catalog'), /^FAIL .*Elsewhere/);
  });

  it('warns about a pre-2.53 cloud and probes the older force-down call', async () => {
    const { code, lines } = await run({ maxVersion: '2.52' });
    assert.equal(code, 0, lines.join('\n'));
    assert.match(line(lines, 'microversions'), /^warn .*using 2\.52 \(below 2\.53: force-down by host name/);
    assert.match(line(lines, 'force-down permission'), /^ok /);
    assert.ok(sim?.novaCalls('PUT', /os-services\/force-down$/).length === 1);
  });

  it('probes live migration with the body of the negotiated microversion (below 2.25)', async () => {
    const { code, lines } = await run({ maxVersion: '2.24' });
    assert.equal(code, 0, lines.join('\n'));
    assert.match(line(lines, 'live-migration permission (maintenance)'), /^ok /);
    // The simulator validates the body before the lookup: a body of the wrong version would be a 400.
    const actions = sim?.novaCalls('POST', /\/action$/) ?? [];
    assert.deepEqual(
      actions.map((c) => [c.status, c.microversion]),
      [
        [404, '2.24'],
        [404, '2.24'],
        [404, '2.24'],
      ],
    );
  });

  it('fails a cloud without force-down (below 2.11)', async () => {
    const { code, lines } = await run({ maxVersion: '2.10' });
    assert.equal(code, 1);
    assert.match(line(lines, 'microversions'), /^FAIL .*force-down needs compute API 2\.11 or later/);
  });

  it('says which credentials are missing or unreadable', async () => {
    let text = '';
    const out = (chunk: string) => (text += chunk);
    assert.equal(await runCheckCloudCommand([], {}, out), 1);
    assert.match(
      text,
      /^FAIL {2}credentials: no credentials: pass --clouds-file, or set the OS_\* variables/,
    );
    text = '';
    assert.equal(await runCheckCloudCommand([], { OS_AUTH_URL: 'http://127.0.0.1:1/v3' }, out), 1);
    assert.match(text, /OS_USERNAME is missing/);
    text = '';
    assert.equal(await runCheckCloudCommand(['--clouds-file', join(dir, 'absent')], {}, out), 1);
    assert.match(text, /cannot read .*absent \(ENOENT\)/);
    let stderr = '';
    assert.equal(await runCheckCloudCommand(['--timeout-seconds', '0'], {}, out, (c) => (stderr += c)), 2);
    assert.match(stderr, /--timeout-seconds must be an integer from 1 to 300/);
    text = '';
    assert.equal(await runCheckCloudCommand(['--help'], {}, out), 0);
    assert.match(text, /^Usage: doctor check-cloud/);
  });
});
