// The chart's `helm test` hook: the check-cloud Pod as rendered, and its command line run against the
// Nova simulator with the credentials the Pod would get (the clouds.yaml Secret mounted as a file, or an
// openstack-helm OS_* Secret as environment), passing a ready cloud and failing a non-admin user.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../tools/cluster/paths.js';
import { type NovaSim, start } from '../../../tools/nova-sim/index.js';
import { adminOsEnv } from '../openstack/harness.js';
import { findObject, renderChart } from './helm.js';

interface HookPod {
  metadata: { annotations: Record<string, string> };
  spec: {
    restartPolicy: string;
    automountServiceAccountToken: boolean;
    containers: {
      args: string[];
      envFrom?: { secretRef: { name: string } }[];
      volumeMounts?: { name: string; mountPath: string }[];
      securityContext: Record<string, unknown>;
    }[];
    volumes?: { name: string; secret: { secretName: string } }[];
  };
}

const mountedCloudsFile = '/etc/doctor/clouds/clouds.yaml';

function runDoctor(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'dist/src/cli.js'), ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin', ...env }, timeout: 60_000 },
      (err, stdout) => resolve({ code: err === null ? 0 : Number(err.code ?? 1), stdout }),
    );
  });
}

describe('helm test hook: check-cloud', function () {
  this.timeout(120_000);
  let dir: string;
  let sim: NovaSim;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'doctor-hook-'));
    sim = await start();
  });

  after(async () => {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function hookPod(values: string[] = []): Promise<HookPod> {
    return findObject(
      await renderChart('doctor', values),
      'Pod',
      'doctor-operator-check-cloud',
    ) as unknown as HookPod;
  }

  it('is a restricted test hook that mounts the clouds.yaml Secret', async () => {
    const pod = await hookPod();
    assert.equal(pod.metadata.annotations['helm.sh/hook'], 'test');
    assert.equal(pod.spec.restartPolicy, 'Never');
    assert.equal(pod.spec.automountServiceAccountToken, false);
    const [container] = pod.spec.containers;
    assert.deepEqual(container?.args, [
      'check-cloud',
      '--timeout-seconds=10',
      `--clouds-file=${mountedCloudsFile}`,
      '--cloud=openstack',
    ]);
    assert.deepEqual(container?.securityContext.capabilities, { drop: ['ALL'] });
    assert.equal(pod.spec.volumes?.[0]?.secret.secretName, 'openstack-clouds');
    const withoutTest = await renderChart('doctor', ['tests.checkCloud.enabled=false']);
    assert.ok(!withoutTest.some((o) => o.kind === 'Pod'));
  });

  it("passes the simulator's admin through the mounted clouds.yaml, and fails a member", async () => {
    const [container] = (await hookPod()).spec.containers;
    const file = join(dir, 'clouds.yaml');
    const args = (container?.args ?? []).map((a) => a.replace(mountedCloudsFile, file));
    writeFileSync(file, sim.cloudsYaml());
    const ready = await runDoctor(args, {});
    assert.equal(ready.code, 0, ready.stdout);
    assert.match(ready.stdout, /the cloud is ready for doctor-operator/);
    writeFileSync(
      file,
      sim
        .cloudsYaml()
        .replace('username: admin', 'username: demo')
        .replace('admin-secret', 'demo-secret')
        .replace('project_name: admin', 'project_name: tenant-a'),
    );
    const member = await runDoctor(args, {});
    assert.equal(member.code, 1, member.stdout);
    assert.match(
      member.stdout,
      /FAIL {2}force-down permission: refused by Nova's policy rule os_compute_api:os-services:update/,
    );
  });

  it("takes openstack-helm's OS_* Secret as environment when openstackCredentials.secretName is set", async () => {
    const pod = await hookPod(['openstackCredentials.secretName=keystone-keystone-admin']);
    const [container] = pod.spec.containers;
    assert.deepEqual(container?.envFrom, [{ secretRef: { name: 'keystone-keystone-admin' } }]);
    assert.equal(pod.spec.volumes, undefined);
    assert.deepEqual(container?.args, ['check-cloud', '--timeout-seconds=10']);
    const result = await runDoctor(container?.args ?? [], adminOsEnv(sim.authUrl));
    assert.equal(result.code, 0, result.stdout);
  });
});
