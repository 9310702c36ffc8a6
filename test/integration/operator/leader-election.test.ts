// Two operator replicas share a Lease: both are Ready (readiness is not leadership), only the leader
// reconciles, and the leader labels its own Pod so the inspector Service selects it alone. On SIGTERM the
// leader hands over (label off, Lease released) within its shutdown time and the standby takes over at
// once; when a leader dies without a word (kill -9), the standby takes over within the lease duration
// and moves the label.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNode, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import {
  counterTotal,
  shortLeaseArgs,
  startOperatorProcess,
  type OperatorProcess,
} from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { policyYaml, waitForHostHealths } from './helpers.js';

const leaseDurationSeconds = 6;
const leaseArgs = shortLeaseArgs('le-test', leaseDurationSeconds, 4);
const leaderLabel = 'doctor.io/inspector-leader';

describe('leader election between operator processes', function () {
  this.timeout(240_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let logDir: string;
  const replicas: OperatorProcess[] = [];
  const nodes = ['le-node-0', 'le-node-1', 'le-node-2'];
  const podNode = 'le-pods';
  const identities = ['le-a', 'le-b', 'le-c'];

  /** Stand-ins for the replicas' Pods, so the leader has a Pod of its own to label. */
  async function createReplicaPod(name: string): Promise<void> {
    await kube.core.createNamespacedPod({
      namespace: operatorNamespace,
      body: {
        metadata: { name, labels: { app: 'le-test' } },
        spec: {
          nodeName: podNode,
          automountServiceAccountToken: false,
          containers: [{ name: 'operator', image: 'doctor-operator:test' }],
        },
      },
    });
  }

  async function labelledPods(): Promise<string[]> {
    const pods = await kube.core.listNamespacedPod({
      namespace: operatorNamespace,
      labelSelector: `app=le-test,${leaderLabel}=true`,
    });
    return pods.items.map((p: k8s.V1Pod) => p.metadata!.name!).sort();
  }

  async function start(identity: string): Promise<OperatorProcess> {
    const replica = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity,
      extraArgs: [...leaseArgs, '--pod-name', identity],
    });
    replicas.push(replica);
    return replica;
  }

  async function theLeader(among: OperatorProcess[]): Promise<OperatorProcess> {
    return waitFor('exactly one replica to lead', async () => {
      const leading = await Promise.all(among.map((r) => r.isLeader()));
      return leading.filter(Boolean).length === 1 ? among[leading.indexOf(true)] : undefined;
    });
  }

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    for (const name of nodes.slice(0, 2))
      await createKwokNode(kube.core, { name, labels: { 'le-test': 'enabled' }, internalIP: '198.18.4.1' });
    await createKwokNode(kube.core, { name: podNode, internalIP: '198.18.4.9' });
    for (const identity of identities) await createReplicaPod(identity);
    logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    for (const identity of identities.slice(0, 2)) await start(identity);
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', 'le-policy', '--ignore-not-found', '--wait=false']);
    const failures: string[] = [];
    for (const replica of replicas) await replica.stop().catch((err: unknown) => failures.push(String(err)));
    if (kube) {
      await cluster.kubectl(['delete', 'pod', '-n', operatorNamespace, '-l', 'app=le-test', '--wait=false']);
      await deleteNodes(kube.core, [...nodes, podNode]);
    }
    assert.deepEqual(failures, [], 'every replica stopped within its shutdown time');
  });

  it('both replicas are Ready; only the leader reconciles and carries the inspector label', async function () {
    const leader = await theLeader(replicas);
    const standby = replicas.find((r) => r !== leader)!;
    const lease = (await kube.custom.getNamespacedCustomObject({
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      namespace: operatorNamespace,
      name: 'le-test',
    })) as { spec: { holderIdentity: string } };
    assert.equal(lease.spec.holderIdentity, leader.identity);
    await waitFor('both replicas to be Ready', async () =>
      (await leader.isReady()) && (await standby.isReady()) ? true : undefined,
    );
    await waitFor(`only ${leader.identity}'s Pod to carry ${leaderLabel}`, async () =>
      (await labelledPods()).join() === leader.identity ? true : undefined,
    );

    await kubectlApply(cluster, { yaml: policyYaml('le-policy', 'le-test') });
    await waitForHostHealths(kube, 'le-policy', nodes.slice(0, 2));
    const standbyMetrics = (await standby.get('/metrics'))!.body;
    assert.equal(
      counterTotal(standbyMetrics, 'doctor_reconciles_total'),
      0,
      'the standby reconciled nothing',
    );
    assert.ok(counterTotal((await leader.get('/metrics'))!.body, 'doctor_reconciles_total') > 0);
    assert.equal(await standby.isLeader(), false);
  });

  it('on SIGTERM the leader hands over within its shutdown time and the standby leads at once', async function () {
    const leader = await theLeader(replicas);
    const standby = replicas.find((r) => r !== leader && !r.process.hasExited())!;
    // stop() fails unless the process exits by itself, with code 0, within the bound.
    const tookMs = await leader.stop();
    assert.ok(tookMs <= 4_000, `shutdown took ${tookMs} ms (the operator's budget is 2 s)`);
    const stoppedAt = Date.now();
    await waitFor('the standby to lead', async () => ((await standby.isLeader()) ? true : undefined), {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const takeoverMs = Date.now() - stoppedAt;
    // A released lease is taken at the standby's next try, not after a lease duration.
    assert.ok(takeoverMs < (leaseDurationSeconds - 1) * 1000, `took over ${takeoverMs} ms after the exit`);
    await waitFor(`the label to move to ${standby.identity}`, async () =>
      (await labelledPods()).join() === standby.identity ? true : undefined,
    );
  });

  it('after a kill -9 the standby takes over within the lease duration and moves the label', async function () {
    const spare = await start(identities[2]!);
    const alive = replicas.filter((r) => !r.process.hasExited());
    const leader = await theLeader(alive);
    const standby = alive.find((r) => r !== leader)!;
    assert.equal(spare.identity, standby.identity);
    await leader.kill();
    const killedAt = Date.now();
    await waitFor('the standby to take over', async () => ((await standby.isLeader()) ? true : undefined), {
      timeoutMs: (leaseDurationSeconds + 10) * 1000,
      intervalMs: 100,
    });
    const takeoverMs = Date.now() - killedAt;
    // Lease duration plus one retry period and a little scheduling slack.
    assert.ok(takeoverMs <= (leaseDurationSeconds + 2) * 1000, `took over after ${takeoverMs} ms`);
    // The dead leader could not remove its label: the new leader does.
    await waitFor(`only ${standby.identity}'s Pod to carry ${leaderLabel}`, async () =>
      (await labelledPods()).join() === standby.identity ? true : undefined,
    );

    await createKwokNode(kube.core, {
      name: nodes[2]!,
      labels: { 'le-test': 'enabled' },
      internalIP: '198.18.4.3',
    });
    await waitForHostHealths(kube, 'le-policy', nodes);
  });
});
