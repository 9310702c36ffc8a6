// The API server itself refuses bad policies, with a message naming the field (CRD schema + CEL rules),
// checked the way a user meets it: kubectl apply --dry-run=server.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { repoRoot } from '../../../tools/cluster/paths.js';
import { kubeClients } from '../../../tools/cluster/kube/client.js';
import { installCrds } from '../../../tools/cluster/kube/install.js';
import { sharedCluster } from '../../support/shared-cluster.js';

const fixtures = join(repoRoot, 'test/fixtures/policies');
const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));

describe('FaultPolicy validation by the API server', function () {
  this.timeout(120_000);
  let cluster: Cluster;

  before(async function () {
    cluster = await sharedCluster();
    await installCrds(cluster, kubeClients(cluster.kubeconfigPath));
  });

  const invalid = yamlFiles(join(fixtures, 'invalid'));
  it('has at least 15 distinct invalid policies to try', function () {
    assert.ok(invalid.length >= 15, `only ${invalid.length} fixtures`);
  });

  for (const file of invalid) {
    const name = file.split('/').pop();
    it(`refuses ${name} naming the field`, async function () {
      const text = readFileSync(file, 'utf8');
      const expected = /^# expect: (.+)$/m.exec(text)?.[1];
      assert.ok(expected, `${name} has an '# expect:' line`);
      const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', file]);
      assert.notEqual(result.code, 0, `${name} was accepted`);
      assert.ok(
        result.stderr.includes(expected),
        `error for ${name}:\n${result.stderr}\nexpected to contain:\n${expected}`,
      );
    });
  }

  for (const file of [...yamlFiles(join(fixtures, 'valid')), ...yamlFiles(join(repoRoot, 'examples'))]) {
    const name = file.split('/').slice(-2).join('/');
    it(`accepts ${name}`, async function () {
      const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', file]);
      assert.equal(result.code, 0, result.stderr);
    });
  }
});
