// The operator's Node cache against a real API server: kwok keeps writing the Nodes' status (heartbeats),
// and the cache holds each Node trimmed to what policies read (labels, addresses), not the whole status.
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { createKwokNode, deleteNodes, waitForNodesReady } from '../../../tools/cluster/kube/nodes.js';
import { createLogger } from '../../../src/observability/logger.js';
import { NodeChanges, type NodeChange } from '../../../src/operator/node-changes.js';
import { keepPolicyFields, nodePolicyPrune } from '../../../src/operator/node-fields.js';
import { WatchedResource } from '../../../src/runtime/informer.js';
import { sharedCluster } from '../../support/shared-cluster.js';

describe('Node cache', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let nodes: WatchedResource<k8s.V1Node> | undefined;
  const name = 'node-cache-0';

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await createKwokNode(kube.core, { name, labels: { 'node-cache': 'on' }, internalIP: '198.18.9.77' });
    await waitForNodesReady(kube.core, [name]);
  });

  after(async function () {
    await nodes?.stop();
    if (kube) await deleteNodes(kube.core, [name]);
  });

  it('keeps labels and addresses of each Node and drops the rest of its status, also on updates', async function () {
    const updates: k8s.V1Node[] = [];
    // What the operator makes of each update it is handed.
    const changes = new NodeChanges();
    const seen: NodeChange[] = [];
    nodes = new WatchedResource<k8s.V1Node>(
      kube.config,
      {
        name: 'nodes',
        path: '/api/v1/nodes',
        list: () => kube.core.listNode(),
        keep: keepPolicyFields,
        prune: nodePolicyPrune,
        onChange: (node, change) => {
          if (node.metadata?.name !== name) return;
          const classified = changes.classify(node, change);
          if (change !== 'update') return;
          updates.push(node);
          seen.push(classified);
        },
      },
      createLogger('test', 'error'),
    );
    await nodes.start();
    const live = await kube.core.readNode({ name });
    assert.ok(live.status?.conditions?.length, 'the API server has the full status');
    const cached = nodes.get(name)!;
    assert.deepEqual(cached.metadata?.labels?.['node-cache'], 'on');
    assert.deepEqual(cached.status, { addresses: live.status.addresses });
    assert.equal(cached.metadata?.managedFields, undefined);
    assert.ok(live.metadata?.annotations, 'kwok annotates its Nodes');
    assert.equal(cached.metadata?.annotations, undefined);
    // kwok's status heartbeats move the Node's resourceVersion and nothing the cache keeps. The first
    // one may replace the listed object (the list is decoded with Dates, a watch event is plain JSON);
    // from then on the cached object follows the version, and no handler is woken.
    const versionMoved = async (from: string | undefined) =>
      waitFor(
        'a heartbeat',
        () => Promise.resolve(nodes?.get(name)?.metadata?.resourceVersion !== from ? true : undefined),
        { timeoutMs: 60_000 },
      );
    await versionMoved(cached.metadata?.resourceVersion);
    assert.deepEqual(
      seen,
      seen.map(() => ({ policies: false, cordon: false })),
    );
    const afterFirst = nodes.get(name)!;
    const handled = updates.length;
    await versionMoved(afterFirst.metadata?.resourceVersion);
    assert.equal(nodes.get(name), afterFirst);
    assert.equal(updates.length, handled);
    // A label change comes as an update: trimmed the same way.
    await kube.core.patchNode(
      { name, body: [{ op: 'add', path: '/metadata/labels/node-cache-updated', value: 'yes' }] },
      k8s.setHeaderOptions('Content-Type', 'application/json-patch+json'),
    );
    await waitFor(
      'the update',
      () => Promise.resolve(updates.at(-1)?.metadata?.labels?.['node-cache-updated'] ? true : undefined),
      { timeoutMs: 30_000 },
    );
    const updated = nodes.get(name)!;
    assert.equal(updated.metadata?.labels?.['node-cache-updated'], 'yes');
    assert.deepEqual(Object.keys(updated.status ?? {}), ['addresses']);
    assert.equal(updated.metadata?.annotations, undefined, 'a watch event is trimmed as the list was');
    assert.deepEqual(seen.at(-1), { policies: true, cordon: false });
  });
});
