// The policy reconciler on a real control plane: examples/ applied -> monitor DaemonSets with one Running
// Pod per matching node and one HostHealth per node; relabelling, editing and deleting converge.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { repoRoot } from '../../../tools/cluster/paths.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import {
  createKwokNode,
  createKwokNodes,
  deleteNodes,
  waitForNodesReady,
} from '../../../tools/cluster/kube/nodes.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import {
  eventsFor,
  getPolicy,
  listMonitorPods,
  waitForHostHealths,
  waitForPolicyCondition,
} from './helpers.js';
import { crdApi } from '../../../src/api/types.js';
import { imageCliPath } from '../../../src/operator/desired/daemonset.js';
import { monitorNodeFlags } from '../../../src/monitor/node-flags.js';

describe('FaultPolicy reconciler: examples and lifecycle', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let operator: OperatorProcess | undefined;
  const computeNodes = ['lc-compute-0', 'lc-compute-1', 'lc-compute-2'];
  const nfvNodes = ['lc-nfv-0', 'lc-nfv-1'];
  const otherNodes = ['lc-other-0'];

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await createKwokNodes(kube.core, computeNodes, {
      labels: { 'openstack-compute-node': 'enabled' },
      subnet: '198.18.1',
    });
    for (const [i, name] of nfvNodes.entries()) {
      await createKwokNode(kube.core, {
        name,
        labels: {
          'nfv-compute-node': 'enabled',
          'topology.kubernetes.io/zone': 'zone-a',
          'doctor.io/nova-host': `nova-${name}`,
        },
        internalIP: `198.18.2.${i + 1}`,
      });
    }
    await createKwokNode(kube.core, { name: otherNodes[0]!, internalIP: '198.18.3.1' });
    await waitForNodesReady(kube.core, [...computeNodes, ...nfvNodes, ...otherNodes]);
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'lifecycle',
      extraArgs: ['--lease-name', 'lifecycle'],
    });
  });

  after(async function () {
    await cluster?.kubectl([
      'delete',
      '-f',
      join(repoRoot, 'examples'),
      '--ignore-not-found',
      '--wait=false',
    ]);
    await operator?.stop();
    if (kube) await deleteNodes(kube.core, [...computeNodes, ...nfvNodes, ...otherNodes]);
  });

  it('applying examples/ creates a monitor DaemonSet with one Running Pod per matching node and one HostHealth per node', async function () {
    await kubectlApply(cluster, { file: join(repoRoot, 'examples') });
    const hostHealths = await waitForHostHealths(kube, 'compute-hosts', computeNodes);
    const nfvHealths = await waitForHostHealths(kube, 'nfv-compute-hosts', nfvNodes);
    assert.ok(hostHealths.every((h) => h.metadata.ownerReferences?.[0]?.kind === 'FaultPolicy'));
    assert.deepEqual(
      nfvHealths.map((h) => h.status?.novaHost),
      nfvNodes.map((n) => `nova-${n}`),
      'novaHostLabel names the Nova host',
    );

    for (const [policy, nodes] of [
      ['compute-hosts', computeNodes],
      ['nfv-compute-hosts', nfvNodes],
    ] as const) {
      const pods = await waitFor(
        `one Running monitor Pod per node of ${policy}`,
        async () => {
          const running = (await listMonitorPods(kube, operatorNamespace, policy)).filter(
            (p) => p.status?.phase === 'Running',
          );
          return running.length === nodes.length ? running : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      assert.deepEqual(pods.map((p) => p.spec?.nodeName).sort(), [...nodes].sort());
      const spec = pods[0]!.spec!;
      assert.equal(spec.hostNetwork, true);
      assert.deepEqual(spec.containers[0]!.command?.slice(0, monitorNodeFlags.length + 3), [
        'node',
        ...monitorNodeFlags,
        imageCliPath,
        'monitor',
      ]);
      assert.ok(spec.containers[0]!.securityContext?.capabilities?.add?.includes('NET_RAW'));
      assert.equal(
        spec.containers[0]!.env?.find((e) => e.name === 'NODE_NAME')?.valueFrom?.fieldRef?.fieldPath,
        'spec.nodeName',
      );
    }

    const ready = await waitForPolicyCondition(kube, 'compute-hosts', 'Ready', 'True');
    assert.equal(ready.status?.observedGeneration, ready.metadata.generation);
    assert.equal(ready.status?.monitoredHosts, 3);
    assert.equal(
      (await waitForPolicyCondition(kube, 'compute-hosts', 'MonitorsAvailable', 'True')).status?.daemonSet,
      `${operatorNamespace}/doctor-monitor-compute-hosts`,
    );

    const config = await kube.core.readNamespacedConfigMap({
      name: 'doctor-monitor-compute-hosts',
      namespace: operatorNamespace,
    });
    const monitorConfig = JSON.parse(config.data?.['monitor.json'] ?? '{}') as {
      hosts: { name: string; address: string }[];
    };
    assert.deepEqual(
      monitorConfig.hosts,
      computeNodes.map((name, i) => ({ name, address: `198.18.1.${i + 1}` })),
    );

    const reasons = (await eventsFor(kube, 'FaultPolicy', 'compute-hosts')).map((e) => e.reason);
    assert.ok(
      reasons.includes('DaemonSetCreated') && reasons.includes('HostHealthCreated'),
      `events: ${reasons.join(', ')}`,
    );
  });

  it('relabelling a node out of the selector removes its HostHealth and its host from the monitor configuration', async function () {
    await cluster.kubectl(['label', 'node', 'lc-compute-2', 'openstack-compute-node-']);
    await waitForHostHealths(kube, 'compute-hosts', ['lc-compute-0', 'lc-compute-1']);
    await waitFor('the monitor configuration to drop lc-compute-2', async () => {
      const cm = await kube.core.readNamespacedConfigMap({
        name: 'doctor-monitor-compute-hosts',
        namespace: operatorNamespace,
      });
      return cm.data?.['monitor.json']?.includes('lc-compute-2') ? undefined : true;
    });
    await cluster.kubectl(['label', 'node', 'lc-compute-2', 'openstack-compute-node=enabled']);
    await waitForHostHealths(kube, 'compute-hosts', computeNodes);
  });

  it('editing the policy updates the DaemonSet and observedGeneration', async function () {
    const before = await kube.apps.readNamespacedDaemonSet({
      name: 'doctor-monitor-compute-hosts',
      namespace: operatorNamespace,
    });
    const hashBefore = before.spec?.template.metadata?.annotations?.['doctor.io/monitor-settings'];
    const patched = await cluster.kubectl([
      'patch',
      'faultpolicy',
      'compute-hosts',
      '--type=merge',
      '-p',
      '{"spec":{"monitor":{"intervalMilliseconds":250}}}',
    ]);
    assert.equal(patched.code, 0, patched.stderr);
    const generation = (await getPolicy(kube, 'compute-hosts'))!.metadata.generation!;
    await waitFor('observedGeneration to catch up', async () =>
      (await getPolicy(kube, 'compute-hosts'))?.status?.observedGeneration === generation ? true : undefined,
    );
    const after = await waitFor('the DaemonSet pod template to change', async () => {
      const ds = await kube.apps.readNamespacedDaemonSet({
        name: 'doctor-monitor-compute-hosts',
        namespace: operatorNamespace,
      });
      return ds.spec?.template.metadata?.annotations?.['doctor.io/monitor-settings'] !== hashBefore
        ? ds
        : undefined;
    });
    assert.ok((after.metadata?.generation ?? 0) > (before.metadata?.generation ?? 0));
    const cm = await kube.core.readNamespacedConfigMap({
      name: 'doctor-monitor-compute-hosts',
      namespace: operatorNamespace,
    });
    assert.match(cm.data?.['monitor.json'] ?? '', /"intervalMilliseconds": 250/);
  });

  it('deleting the policy removes everything it owned', async function () {
    const deleted = await cluster.kubectl([
      'delete',
      'faultpolicy',
      'compute-hosts',
      '--wait=true',
      '--timeout=60s',
    ]);
    assert.equal(deleted.code, 0, deleted.stderr);
    await waitFor(
      "garbage collection of the policy's DaemonSet, ConfigMap and HostHealths",
      async () => {
        const ds = await kube.apps.listNamespacedDaemonSet({
          namespace: operatorNamespace,
          labelSelector: 'doctor.io/policy=compute-hosts',
        });
        const cms = await kube.core.listNamespacedConfigMap({
          namespace: operatorNamespace,
          labelSelector: 'doctor.io/policy=compute-hosts',
        });
        const hh = (await kube.custom.listClusterCustomObject({
          ...crdApi,
          plural: 'hosthealths',
          labelSelector: 'doctor.io/policy=compute-hosts',
        })) as { items: unknown[] };
        return ds.items.length + cms.items.length + hh.items.length === 0 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    // The other policy is untouched.
    await waitForHostHealths(kube, 'nfv-compute-hosts', nfvNodes);
  });
});
