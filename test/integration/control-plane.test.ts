// Smoke test of the local control plane every later test relies on: CRDs and custom objects, kwok
// Nodes going Ready, the DaemonSet controller placing one Running Pod per node, and garbage collection.
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { kubectlApply } from '../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../tools/cluster/kube/client.js';
import {
  createKwokNodes,
  deleteNodes,
  internalIP,
  waitForNodesReady,
} from '../../tools/cluster/kube/nodes.js';
import { sharedCluster } from '../support/shared-cluster.js';

const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.smoke.doctor.io}
spec:
  group: smoke.doctor.io
  scope: Cluster
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer, minimum: 1}
`;

describe('local control plane', function () {
  let cluster: Cluster;
  let kube: KubeClients;
  const nodeNames = ['smoke-node-0', 'smoke-node-1', 'smoke-node-2'];
  const namespace = 'smoke';

  before(async function () {
    this.timeout(120_000);
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
  });

  after(async function () {
    this.timeout(60_000);
    if (!kube) return;
    await kube.core.deleteNamespace({ name: namespace }).catch(() => undefined);
    await deleteNodes(kube.core, nodeNames).catch(() => undefined);
    await cluster.kubectl(['delete', 'crd', 'widgets.smoke.doctor.io', '--ignore-not-found']);
  });

  it('serves the pinned Kubernetes version', async function () {
    const result = await cluster.kubectl(['version', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const version = JSON.parse(result.stdout) as { serverVersion: { gitVersion: string } };
    assert.match(version.serverVersion.gitVersion, /^v1\.\d+\.\d+$/);
  });

  it('applies a CRD, creates a custom object, and enforces its schema', async function () {
    await kubectlApply(cluster, { yaml: widgetCrd });
    await waitFor('the Widget CRD to be established', async () => {
      const crd = await kube.extensions.readCustomResourceDefinition({ name: 'widgets.smoke.doctor.io' });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
    await kubectlApply(cluster, {
      yaml: 'apiVersion: smoke.doctor.io/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
    });
    const widget = (await kube.custom.getClusterCustomObject({
      group: 'smoke.doctor.io',
      version: 'v1',
      plural: 'widgets',
      name: 'w1',
    })) as { spec: { size: number } };
    assert.equal(widget.spec.size, 3);
    const refused = await cluster.kubectl(
      ['apply', '--dry-run=server', '-f', '-'],
      'apiVersion: smoke.doctor.io/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 0}\n',
    );
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /spec\.size/);
  });

  it('runs kwok Nodes that become Ready with the InternalIP the test chose', async function () {
    this.timeout(60_000);
    await createKwokNodes(kube.core, nodeNames, { labels: { 'doctor.io/smoke': 'yes' }, subnet: '198.18.7' });
    await waitForNodesReady(kube.core, nodeNames);
    const nodes = await Promise.all(nodeNames.map((name) => kube.core.readNode({ name })));
    assert.deepEqual(nodes.map(internalIP), ['198.18.7.1', '198.18.7.2', '198.18.7.3']);
  });

  it('places one Running DaemonSet Pod per node and garbage-collects them when the DaemonSet goes', async function () {
    this.timeout(120_000);
    await kube.core.createNamespace({ body: { metadata: { name: namespace } } });
    const labels = { app: 'smoke-ds' };
    const daemonSet: k8s.V1DaemonSet = {
      metadata: { name: 'smoke-ds', namespace },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector: { 'doctor.io/smoke': 'yes' },
            tolerations: [{ operator: 'Exists' }],
            containers: [{ name: 'probe', image: 'registry.invalid/doctor:smoke' }],
          },
        },
      },
    };
    // The namespace's default ServiceAccount comes from the serviceaccount controller; pods need it.
    await waitFor('the default ServiceAccount', async () =>
      (await kube.core.readNamespacedServiceAccount({ name: 'default', namespace })) ? true : undefined,
    );
    await kube.apps.createNamespacedDaemonSet({ namespace, body: daemonSet });
    const pods = await waitFor(
      'one Running pod per smoke node',
      async () => {
        const list = await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=smoke-ds' });
        const running = list.items.filter((p) => p.status?.phase === 'Running');
        return running.length === nodeNames.length ? running : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), nodeNames);

    await kube.apps.deleteNamespacedDaemonSet({
      name: 'smoke-ds',
      namespace,
      propagationPolicy: 'Background',
    });
    await waitFor(
      'garbage collection of the DaemonSet pods',
      async () => {
        const list = await kube.core.listNamespacedPod({ namespace, labelSelector: 'app=smoke-ds' });
        return list.items.length === 0 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
  });
});
