// No decision from an unsynced cache: an operator that may not list Nodes has no Node cache, and an
// empty cache taken for the truth would look like every node left its policy. Started while listing
// Nodes is forbidden, it stays not Ready and deletes no HostHealth; granted the permission later, its
// informer restarts after the errors, syncs, and finds every HostHealth as it was.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNodes, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { serviceAccountToken, tokenKubeconfig } from '../../../tools/cluster/kube/token-kubeconfig.js';
import {
  shortLeaseArgs,
  startOperatorProcess,
  type OperatorProcess,
} from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import {
  eventsFor,
  listHostHealths,
  policyYaml,
  waitForHostHealths,
  conditionOf,
  getPolicy,
} from './helpers.js';

const serviceAccount = 'unsynced-operator';
const forbiddenForMs = 12_000;

/** Everything the operator needs, except listing Nodes (watch and get stay: the LIST is what fails). */
const roleYaml = `apiVersion: v1
kind: ServiceAccount
metadata: {name: ${serviceAccount}, namespace: ${operatorNamespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${serviceAccount}}
rules:
  - apiGroups: [doctor.io]
    resources: [faultpolicies, faultpolicies/status, faultpolicies/finalizers, hosthealths, hosthealths/status]
    verbs: [get, list, watch, create, patch, update, delete]
  - apiGroups: ['']
    resources: [nodes]
    verbs: [get, watch, patch]
  - apiGroups: ['']
    resources: [events, configmaps, secrets]
    verbs: [get, list, watch, create, patch, update]
  - apiGroups: [apps]
    resources: [daemonsets]
    verbs: [get, list, watch, create, patch, update, delete]
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: [get, create, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${serviceAccount}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${serviceAccount}}
subjects: [{kind: ServiceAccount, name: ${serviceAccount}, namespace: ${operatorNamespace}}]
`;

const grantYaml = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: ${serviceAccount}-list-nodes}
rules:
  - apiGroups: ['']
    resources: [nodes]
    verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ${serviceAccount}-list-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${serviceAccount}-list-nodes}
subjects: [{kind: ServiceAccount, name: ${serviceAccount}, namespace: ${operatorNamespace}}]
`;

describe('operator started while listing Nodes is forbidden', function () {
  this.timeout(240_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let operator: OperatorProcess | undefined;
  const policy = 'unsynced-policy';
  const nodes = ['unsynced-node-0', 'unsynced-node-1', 'unsynced-node-2'];

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await kubectlApply(cluster, { yaml: roleYaml });
    await createKwokNodes(kube.core, nodes, { labels: { 'unsynced-test': 'enabled' }, subnet: '198.18.6' });
  });

  after(async function () {
    await operator?.stop();
    await cluster?.kubectl(['delete', 'faultpolicy', policy, '--ignore-not-found', '--wait=false']);
    await cluster?.kubectl([
      'delete',
      'clusterrolebinding,clusterrole',
      serviceAccount,
      `${serviceAccount}-list-nodes`,
      '--ignore-not-found',
    ]);
    if (kube) await deleteNodes(kube.core, nodes);
  });

  it('deletes no HostHealth until its Node cache is synced, then keeps them all', async function () {
    const logDir = join(cluster.runDir, 'unsynced');
    mkdirSync(logDir, { recursive: true });
    const args = shortLeaseArgs('unsynced-test');

    // An operator with every permission creates the policy's HostHealths, then leaves.
    const admin = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'unsynced-admin',
      extraArgs: args,
    });
    await kubectlApply(cluster, { yaml: policyYaml(policy, 'unsynced-test') });
    const before = await waitForHostHealths(kube, policy, nodes);
    await admin.stop();

    const kubeconfig = join(logDir, 'kubeconfig');
    tokenKubeconfig(
      cluster.kubeconfigPath,
      await serviceAccountToken(cluster, operatorNamespace, serviceAccount),
      kubeconfig,
    );
    operator = await startOperatorProcess({
      kubeconfig,
      logDir,
      identity: 'unsynced-restricted',
      extraArgs: args,
    });
    await waitFor('the restricted operator to lead', async () =>
      (await operator!.isLeader()) ? true : undefined,
    );
    const forbiddenUntil = Date.now() + forbiddenForMs;
    while (Date.now() < forbiddenUntil) {
      assert.deepEqual(
        (await listHostHealths(kube, policy)).map((h) => h.metadata.uid),
        before.map((h) => h.metadata.uid),
        'a HostHealth was deleted while the Node cache was not synced',
      );
      assert.equal(await operator.isReady(), false, 'Ready although it could not list Nodes');
      await new Promise((r) => setTimeout(r, 500));
    }

    await kubectlApply(cluster, { yaml: grantYaml });
    // The informer keeps restarting after the refused LISTs (capped backoff) and syncs once allowed.
    await waitFor(
      'the operator to sync its caches',
      async () => ((await operator!.isReady()) ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    // A change makes it reconcile the policy from its now complete caches.
    await kubectlApply(cluster, { yaml: policyYaml(policy, 'unsynced-test', '  paused: true\n') });
    await waitFor('a reconcile of the paused policy', async () => {
      const ready = conditionOf(await getPolicy(kube, policy), 'Ready');
      return ready?.status === 'True' && ready.message.includes('paused') ? true : undefined;
    });
    assert.deepEqual(
      (await listHostHealths(kube, policy)).map((h) => h.metadata.uid),
      before.map((h) => h.metadata.uid),
      'the same HostHealth objects after the sync',
    );
    const deletions = (await eventsFor(kube, 'FaultPolicy', policy)).filter(
      (e) => e.reason === 'HostHealthDeleted',
    );
    assert.deepEqual(deletions, []);
  });
});
