// Two operator replicas share a Lease: only the leader reconciles and reports Ready; when it dies
// (kill -9, no chance to release), the standby takes over within the lease duration and acts.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../support/control-plane/cluster.js';
import { waitFor } from '../../support/control-plane/wait.js';
import { kubectlApply } from '../../support/kube/apply.js';
import { kubeClients, type KubeClients } from '../../support/kube/client.js';
import { installOperatorPrerequisites } from '../../support/kube/install.js';
import { createKwokNode, deleteNodes } from '../../support/kube/nodes.js';
import { counterTotal, startOperatorProcess, type OperatorProcess } from '../../support/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { policyYaml, waitForHostHealths } from './helpers.js';

const leaseDurationSeconds = 6;
const leaseArgs = [
  '--lease-name',
  'le-test',
  '--lease-duration',
  `${leaseDurationSeconds}`,
  '--renew-deadline',
  '4',
  '--retry-period',
  '1',
];

describe('leader election between two operator processes', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  let kube: KubeClients;
  const replicas: OperatorProcess[] = [];
  const nodes = ['le-node-0', 'le-node-1', 'le-node-2'];

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    for (const name of nodes.slice(0, 2))
      await createKwokNode(kube.core, { name, labels: { 'le-test': 'enabled' }, internalIP: '198.18.4.1' });
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    for (const identity of ['le-a', 'le-b']) {
      replicas.push(
        await startOperatorProcess({
          kubeconfig: cluster.kubeconfigPath,
          logDir,
          identity,
          extraArgs: leaseArgs,
        }),
      );
    }
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', 'le-policy', '--ignore-not-found', '--wait=false']);
    for (const replica of replicas) await replica.stop();
    if (kube) await deleteNodes(kube.core, nodes);
  });

  it('only the leader is Ready and reconciles; the standby takes over within the lease duration after a kill', async function () {
    const leader = await waitFor('one replica to become leader', async () => {
      const ready = await Promise.all(replicas.map((r) => r.isReady()));
      return ready.filter(Boolean).length === 1 ? replicas[ready.indexOf(true)] : undefined;
    });
    const standby = replicas.find((r) => r !== leader)!;
    const lease = (await kube.custom.getNamespacedCustomObject({
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      namespace: 'doctor-system',
      name: 'le-test',
    })) as { spec: { holderIdentity: string } };
    assert.equal(lease.spec.holderIdentity, leader.identity);

    await kubectlApply(cluster, { yaml: policyYaml('le-policy', 'le-test') });
    await waitForHostHealths(kube, 'le-policy', nodes.slice(0, 2));
    const standbyMetrics = (await standby.get('/metrics'))!.body;
    assert.equal(
      counterTotal(standbyMetrics, 'doctor_reconciles_total'),
      0,
      'the standby reconciled nothing',
    );
    assert.ok(counterTotal((await leader.get('/metrics'))!.body, 'doctor_reconciles_total') > 0);
    assert.equal(await standby.isReady(), false);

    await leader.kill();
    const killedAt = Date.now();
    await waitFor('the standby to take over', async () => ((await standby.isReady()) ? true : undefined), {
      timeoutMs: (leaseDurationSeconds + 10) * 1000,
      intervalMs: 100,
    });
    const takeoverMs = Date.now() - killedAt;
    // Lease duration plus one retry period and a little scheduling slack.
    assert.ok(takeoverMs <= (leaseDurationSeconds + 2) * 1000, `took over after ${takeoverMs} ms`);

    await createKwokNode(kube.core, {
      name: nodes[2]!,
      labels: { 'le-test': 'enabled' },
      internalIP: '198.18.4.3',
    });
    await waitForHostHealths(kube, 'le-policy', nodes);
  });
});
