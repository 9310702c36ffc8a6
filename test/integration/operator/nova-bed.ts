// A test bed for operator tests that remediate: the shared control plane, the Nova simulator with a
// clouds.yaml Secret, kwok nodes carrying a selector label, operator processes, and one FaultPolicy that
// forces down through the simulator. cleanup() undoes it all, even after a failure, and reports an
// operator that did not stop in time.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNodes, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { start as startNovaSim, type NovaSim } from '../../../tools/nova-sim/index.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { getPolicy, waitForHostHealths } from './helpers.js';

export interface NovaBed {
  cluster: Cluster;
  kube: KubeClients;
  nova: NovaSim;
  logDir: string;
  policy: string;
  operators: OperatorProcess[];
  startOperator(identity: string, extraArgs: string[], kubeconfig?: string): Promise<OperatorProcess>;
  /** Applies the policy (spec lines added by `extraSpec`) and waits for its HostHealths. */
  applyPolicy(extraSpec?: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** `name` prefixes every object; `ipBlock` (1..255) keeps node addresses apart from other tests. */
export async function novaBed(
  name: string,
  hosts: string[],
  ipBlock: number,
  serversPerHost = 2,
): Promise<NovaBed> {
  const cluster = await sharedCluster();
  const kube = kubeClients(cluster.kubeconfigPath);
  await installOperatorPrerequisites(cluster, kube);
  const nova = await startNovaSim({ hosts, serversPerHost });
  const secret = `${name}-clouds`;
  const policy = `${name}-policy`;
  const selector = `${name}-test`;
  const operators: OperatorProcess[] = [];
  const logDir = join(cluster.runDir, name);
  mkdirSync(logDir, { recursive: true });
  await kube.core.createNamespacedSecret({
    namespace: operatorNamespace,
    body: { metadata: { name: secret }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
  });
  await createKwokNodes(kube.core, hosts, { labels: { [selector]: 'enabled' }, subnet: `198.18.${ipBlock}` });
  return {
    cluster,
    kube,
    nova,
    logDir,
    policy,
    operators,
    async startOperator(identity, extraArgs, kubeconfig = cluster.kubeconfigPath) {
      const operator = await startOperatorProcess({ kubeconfig, logDir, identity, extraArgs });
      operators.push(operator);
      return operator;
    },
    async applyPolicy(extraSpec = '') {
      await kubectlApply(cluster, {
        yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${policy}}
spec:
  nodeSelector: {matchLabels: {${selector}: enabled}}
  protection: {maxUnhealthy: ${hosts.length}}
  actions:
    nova: {cloudSecretRef: {name: ${secret}}}
${extraSpec}`,
      });
      await waitForHostHealths(kube, policy, hosts);
    },
    async cleanup() {
      await cluster.kubectl(['delete', 'faultpolicy', policy, '--ignore-not-found', '--wait=false']);
      // The policy's finalizer needs a running leader; bounded, the rest goes on regardless.
      await waitFor(
        'the test policy to be gone',
        async () => ((await getPolicy(kube, policy)) ? undefined : true),
        { timeoutMs: 20_000 },
      ).catch(() => undefined);
      const failures: string[] = [];
      for (const operator of operators)
        await operator.stop().catch((err: unknown) => failures.push(String(err)));
      await nova.stop();
      await kube.core
        .deleteNamespacedSecret({ name: secret, namespace: operatorNamespace })
        .catch(() => undefined);
      await deleteNodes(kube.core, hosts);
      if (failures.length > 0) throw new Error(failures.join('\n'));
    },
  };
}
