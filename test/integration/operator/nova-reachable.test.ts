// The FaultPolicy condition NovaReachable on a real control plane, with the operator as a process and the
// Nova simulator: True after the warm-up, False (NovaUnreachable) once the simulator is stopped and the
// policy's Nova work is refreshed, True again when the simulator is back on the same port. The gauge
// doctor_nova_reachable says the same.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNodes, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { freePort } from '../../../tools/cluster/ports.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { start as startNovaSim, type NovaSim } from '../../../tools/nova-sim/index.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { conditionOf, waitForHostHealths, waitForPolicyCondition } from './helpers.js';

const policyName = 'reach-policy';
const hosts = ['reach-a', 'reach-b'];

describe('FaultPolicy NovaReachable follows Nova', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let nova: NovaSim | undefined;
  let novaPort = 0;
  let operator: OperatorProcess | undefined;

  /** A change of the policy's Nova settings makes the leader refresh its Nova work at once. */
  const touchNovaSettings = (reason: string) =>
    kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${policyName}}
spec:
  nodeSelector: {matchLabels: {reach-test: enabled}}
  actions:
    nova: {cloudSecretRef: {name: reach-clouds}, disabledReason: "${reason}"}
`,
    });

  const reachableGauge = async () => {
    const text = (await operator!.get('/metrics'))?.body ?? '';
    const line = text.split('\n').find((l) => l.startsWith(`doctor_nova_reachable{policy="${policyName}"}`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    novaPort = await freePort();
    nova = await startNovaSim({ hosts, serversPerHost: 2, port: novaPort });
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'reach-clouds' }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
    });
    await createKwokNodes(kube.core, hosts, { labels: { 'reach-test': 'enabled' }, subnet: '198.18.11' });
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'reach',
      extraArgs: ['--lease-name', 'reach-test', '--inspector-auth', 'none'],
    });
    await touchNovaSettings('doctor: host down');
    await waitForHostHealths(kube, policyName, hosts);
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', policyName, '--ignore-not-found', '--wait=false']);
    await operator?.stop();
    await nova?.stop();
    await kube?.core
      .deleteNamespacedSecret({ name: 'reach-clouds', namespace: operatorNamespace })
      .catch(() => undefined);
    if (kube) await deleteNodes(kube.core, hosts);
  });

  it('is True after the warm-up, False while the simulator is down, True when it is back', async function () {
    const up = await waitForPolicyCondition(kube, policyName, 'NovaReachable', 'True');
    assert.equal(conditionOf(up, 'NovaReachable')?.reason, 'NovaAnswered');
    assert.equal(await waitFor('gauge 1', async () => ((await reachableGauge()) === 1 ? 1 : undefined)), 1);

    await nova!.stop();
    nova = undefined;
    await touchNovaSettings('doctor: host down (1)');
    const down = await waitForPolicyCondition(kube, policyName, 'NovaReachable', 'False');
    const condition = conditionOf(down, 'NovaReachable')!;
    assert.equal(condition.reason, 'NovaUnreachable', condition.message);
    // kubectl wait reads the same condition, as a user or a pipeline would.
    const waited = await cluster.kubectl([
      'wait',
      '--for=condition=NovaReachable=False',
      `faultpolicy/${policyName}`,
      '--timeout=30s',
    ]);
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(await reachableGauge(), 0);

    nova = await startNovaSim({ hosts, serversPerHost: 2, port: novaPort });
    await touchNovaSettings('doctor: host down (2)');
    await waitForPolicyCondition(kube, policyName, 'NovaReachable', 'True');
    assert.equal(await reachableGauge(), 1);
  });
});
