// The CRD upgrade path of docs and chart README: `helm upgrade` never changes a CRD; the documented
// `kubectl apply --server-side --force-conflicts -f <chart>/crds/` does, keeping the objects; uninstall
// keeps the CRDs. The chart is copied with its CRDs moved to a group of this test's own, so the CRDs the
// other suites use are never touched.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { repoRoot } from '../../../tools/cluster/paths.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { chartDir, helm, releaseName, removeRelease, uniqueNamespace } from './helm.js';

/** The change of the "new chart version": one more printer column on FaultPolicy. */
const newColumn = [
  '        - description: Added by the upgrade test.',
  '          jsonPath: .metadata.uid',
  '          name: Uid',
  '          type: string',
];

describe('helm upgrade with a CRD change', function () {
  this.timeout(240_000);
  let cluster: Cluster;
  const namespace = uniqueNamespace('helm-upgrade');
  const group = `${namespace}.doctor-test.io`;
  const crd = `faultpolicies.${group}`;
  let workDir: string;

  /** The chart with its CRDs in this test's group; `withColumn` adds the new printer column. */
  function chartCopy(name: string, withColumn: boolean): string {
    const dir = join(workDir, name);
    cpSync(chartDir, dir, { recursive: true });
    for (const file of readdirSync(join(dir, 'crds'))) {
      const path = join(dir, 'crds', file);
      let text = readFileSync(path, 'utf8').replaceAll('doctor.io', group);
      if (withColumn && file.includes('faultpolicies')) {
        text = text.replace(
          '    - additionalPrinterColumns:\n',
          `    - additionalPrinterColumns:\n${newColumn.join('\n')}\n`,
        );
        assert.ok(text.includes('name: Uid'), 'the column was added');
      }
      writeFileSync(path, text);
    }
    return dir;
  }

  async function columns(): Promise<string[]> {
    const result = await cluster.kubectl([
      'get',
      'crd',
      crd,
      '-o',
      'jsonpath={.spec.versions[0].additionalPrinterColumns[*].name}',
    ]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim().split(/\s+/);
  }

  async function policyExists(): Promise<boolean> {
    return (
      (await cluster.kubectl(['get', `faultpolicies.${group}`, 'compute-hosts', '-o', 'name'])).code === 0
    );
  }

  before(async function () {
    cluster = await sharedCluster();
    workDir = mkdtempSync(join(tmpdir(), 'doctor-chart-upgrade-'));
  });

  after(async function () {
    await removeRelease(cluster, namespace);
    await cluster?.kubectl([
      'delete',
      'crd',
      crd,
      `hosthealths.${group}`,
      '--ignore-not-found',
      '--wait=false',
    ]);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('changes the CRD only through the documented kubectl apply step, keeping the objects', async function () {
    const v1 = chartCopy('v1', false);
    const v2 = chartCopy('v2', true);
    const install = ['--namespace', namespace, '--create-namespace'];
    await helm(['install', releaseName, v1, ...install], cluster);
    const established = await cluster.kubectl([
      'wait',
      '--for=condition=Established',
      `crd/${crd}`,
      '--timeout=60s',
    ]);
    assert.equal(established.code, 0, established.stderr);
    const policy = readFileSync(join(repoRoot, 'examples/minimal-policy.yaml'), 'utf8').replace(
      'apiVersion: doctor.io/',
      `apiVersion: ${group}/`,
    );
    const created = await cluster.kubectl(['apply', '-f', '-'], policy);
    assert.equal(created.code, 0, created.stderr);
    assert.ok(!(await columns()).includes('Uid'));

    // helm upgrade alone: the release moves on, the CRD does not.
    await helm(['upgrade', releaseName, v2, '--namespace', namespace, '--reuse-values'], cluster);
    assert.ok(!(await columns()).includes('Uid'), 'helm upgrade changed the CRD');

    // The documented opt-in step (chart README, docs/helm.md), then the upgrade.
    const applied = await cluster.kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      join(v2, 'crds'),
    ]);
    assert.equal(applied.code, 0, applied.stderr);
    await helm(['upgrade', releaseName, v2, '--namespace', namespace, '--reuse-values'], cluster);
    assert.ok((await columns()).includes('Uid'), 'kubectl apply did not add the column');
    assert.ok(await policyExists(), 'the policy was lost');
    const printed = await cluster.kubectl(['get', `faultpolicies.${group}`, 'compute-hosts']);
    assert.match(printed.stdout, /UID/, 'kubectl prints the new column');

    // Uninstall keeps the CRDs and with them every policy.
    await helm(['uninstall', releaseName, '--namespace', namespace], cluster);
    assert.equal((await cluster.kubectl(['get', 'crd', crd])).code, 0, 'helm uninstall removed the CRD');
    assert.ok(await policyExists());
  });
});
