// A node selected by two policies is reported as a conflict on both (condition + Event) and stays with
// the policy that holds it; nothing is fought over.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites } from '../../../tools/cluster/kube/install.js';
import { createKwokNode, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import {
  eventsFor,
  listHostHealths,
  policyYaml,
  waitForHostHealths,
  waitForPolicyCondition,
} from './helpers.js';

describe('a node selected by two policies', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let operator: OperatorProcess | undefined;
  const nodes = ['cf-node-0', 'cf-node-1'];

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await createKwokNode(kube.core, {
      name: nodes[0]!,
      labels: { 'cf-a': 'enabled' },
      internalIP: '198.18.6.1',
    });
    await createKwokNode(kube.core, {
      name: nodes[1]!,
      labels: { 'cf-a': 'enabled', 'cf-b': 'enabled' },
      internalIP: '198.18.6.2',
    });
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'conflict',
      extraArgs: ['--lease-name', 'cf-test'],
    });
  });

  after(async function () {
    await cluster?.kubectl([
      'delete',
      'faultpolicy',
      'cf-first',
      'cf-second',
      '--ignore-not-found',
      '--wait=false',
    ]);
    await operator?.stop();
    if (kube) await deleteNodes(kube.core, nodes);
  });

  it('reports NodeConflict on both policies and leaves the node with its first holder', async function () {
    await kubectlApply(cluster, { yaml: policyYaml('cf-first', 'cf-a') });
    await waitForHostHealths(kube, 'cf-first', nodes);
    await kubectlApply(cluster, { yaml: policyYaml('cf-second', 'cf-b') });
    for (const name of ['cf-first', 'cf-second']) {
      const policy = await waitForPolicyCondition(kube, name, 'NodeConflict', 'True');
      const condition = policy.status!.conditions!.find((c) => c.type === 'NodeConflict')!;
      assert.match(condition.message, /cf-node-1/);
      await waitFor(`a NodeConflict Event on ${name}`, async () =>
        (await eventsFor(kube, 'FaultPolicy', name)).some(
          (e) => e.reason === 'NodeConflict' && e.type === 'Warning',
        )
          ? true
          : undefined,
      );
    }
    assert.deepEqual(
      (await listHostHealths(kube, 'cf-second')).map((h) => h.metadata.name),
      [],
    );
    assert.deepEqual(
      (await listHostHealths(kube, 'cf-first')).map((h) => h.metadata.name),
      nodes,
    );

    // The first policy lets go of the node: the second takes it, and the conflict clears.
    await cluster.kubectl(['label', 'node', 'cf-node-1', 'cf-a-']);
    await waitForHostHealths(kube, 'cf-second', ['cf-node-1']);
    await waitForHostHealths(kube, 'cf-first', ['cf-node-0']);
    await waitForPolicyCondition(kube, 'cf-second', 'NodeConflict', 'False');
  });
});
