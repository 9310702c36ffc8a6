// An operator killed in the middle of reconciling a large policy, then restarted, converges to the same
// objects with no duplicates.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostHealth } from '../../../src/api/types.js';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNode, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import {
  conditionOf,
  getPolicy,
  listHostHealths,
  policyYaml,
  waitForHostHealths,
  waitForPolicyCondition,
} from './helpers.js';

describe('operator restarted in the middle of reconciling', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let operator: OperatorProcess | undefined;
  const nodes = Array.from({ length: 60 }, (_, i) => `rs-node-${String(i).padStart(2, '0')}`);

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await Promise.all(
      nodes.map((name, i) =>
        createKwokNode(kube.core, {
          name,
          labels: { 'rs-test': 'enabled' },
          internalIP: `198.18.5.${i + 1}`,
        }),
      ),
    );
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', 'rs-policy', '--ignore-not-found', '--wait=false']);
    await operator?.stop();
    if (kube) await deleteNodes(kube.core, nodes);
  });

  it('converges to one DaemonSet, one ConfigMap and one HostHealth per node', async function () {
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const args = [
      '--lease-name',
      'rs-test',
      '--lease-duration',
      '6',
      '--renew-deadline',
      '4',
      '--retry-period',
      '1',
      '--workers',
      '1',
    ];
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'rs-first',
      extraArgs: args,
    });
    await kubectlApply(cluster, { yaml: policyYaml('rs-policy', 'rs-test') });
    await waitFor(
      'the first HostHealths to appear',
      async () => {
        const items = await listHostHealths(kube, 'rs-policy');
        return items.length > 0 ? items.length : undefined;
      },
      { intervalMs: 20 },
    );
    await operator.kill();
    // What the killed replica had done: nothing changes it until the next replica starts.
    const afterKill = (await listHostHealths(kube, 'rs-policy')).length;
    const readyAtKill = conditionOf(await getPolicy(kube, 'rs-policy'), 'Ready')?.status;

    // The lease of the killed replica must expire first: the restart proves resuming, not speed.
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'rs-second',
      extraArgs: args,
    });
    const items: HostHealth[] = await waitForHostHealths(kube, 'rs-policy', nodes, 90_000);
    await waitForPolicyCondition(kube, 'rs-policy', 'Ready', 'True', 90_000);

    assert.ok(
      afterKill < nodes.length || readyAtKill !== 'True',
      `the kill came before the reconcile finished (${afterKill} of ${nodes.length} HostHealths, Ready ${readyAtKill})`,
    );
    assert.ok(
      items.every((h) => h.metadata.ownerReferences?.length === 1),
      'each HostHealth has exactly one owner',
    );
    const daemonSets = await kube.apps.listNamespacedDaemonSet({
      namespace: operatorNamespace,
      labelSelector: 'doctor.io/policy=rs-policy',
    });
    const configMaps = await kube.core.listNamespacedConfigMap({
      namespace: operatorNamespace,
      labelSelector: 'doctor.io/policy=rs-policy',
    });
    assert.equal(daemonSets.items.length, 1);
    assert.equal(configMaps.items.length, 1);
    const config = JSON.parse(configMaps.items[0]!.data!['monitor.json']!) as { hosts: { name: string }[] };
    assert.deepEqual(
      config.hosts.map((h) => h.name),
      nodes,
    );
  });
});
