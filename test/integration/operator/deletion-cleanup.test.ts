// Deleting what watches a host while that host is Down: the operator forced its Nova service down and
// tainted its Node, and nothing would ever undo that once the HostHealth (or the policy, whose Secret
// reaches Nova) is gone. A finalizer on both lets go of the host first: the Nova service is un-forced,
// the taint removed, and an Event says so. Three ways in: the HostHealth deleted, the node relabelled
// out of the policy, the policy deleted.
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import type { KubeClients } from '../../../tools/cluster/kube/client.js';
import type { NovaSim } from '../../../tools/nova-sim/index.js';
import { shortLeaseArgs, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import {
  eventsFor,
  getHostHealth,
  getPolicy,
  listHostHealths,
  postDownReport,
  waitForHostHealths,
} from './helpers.js';
import { novaBed, type NovaBed } from './nova-bed.js';

const finalizer = 'doctor.io/nova-cleanup';
const taintKey = 'doctor.io/host-down';

describe('deleting while a host is Down: the operator lets go of the host first', function () {
  this.timeout(180_000);
  let bed: NovaBed | undefined;
  let cluster: Cluster;
  let kube: KubeClients;
  let nova: NovaSim | undefined;
  let operator: OperatorProcess | undefined;
  const policy = 'dc-policy'; // novaBed names it after its prefix
  const hosts = ['dc-a', 'dc-b', 'dc-c', 'dc-d'];

  const hostHealth = (name: string) => getHostHealth(kube, name);
  const tainted = async (node: string) =>
    ((await kube.core.readNode({ name: node })).spec?.taints ?? []).some((t) => t.key === taintKey);

  /** Declares the host Down and waits until its service is forced down and its Node tainted. */
  async function bringDown(host: string): Promise<void> {
    await postDownReport(operator!.eventsUrl, host);
    await waitFor(
      `${host} forced down and tainted`,
      async () => (nova!.state.computeService(host)!.forcedDown && (await tainted(host)) ? true : undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  async function waitReleased(host: string): Promise<void> {
    await waitFor(
      `${host} un-forced and untainted`,
      async () =>
        !nova!.state.computeService(host)!.forcedDown && !(await tainted(host)) ? true : undefined,
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  before(async function () {
    bed = await novaBed('dc', hosts, 7);
    ({ cluster, kube, nova } = bed);
    operator = await bed.startOperator('dc', [...shortLeaseArgs('dc-test'), '--inspector-auth', 'none']);
    await bed.applyPolicy();
    await waitFor('the operator to lead', async () => ((await operator!.isLeader()) ? true : undefined));
  });

  after(async function () {
    await bed?.cleanup();
  });

  it('puts its finalizer on the policy and on every HostHealth', async function () {
    await waitFor('the policy finalizer', async () =>
      (await getPolicy(kube, policy))?.metadata.finalizers?.includes(finalizer) ? true : undefined,
    );
    for (const h of await listHostHealths(kube, policy))
      assert.ok(h.metadata.finalizers?.includes(finalizer));
  });

  it('a HostHealth deleted while Down: Nova un-forced, taint removed, Event, and a fresh HostHealth', async function () {
    await bringDown('dc-a');
    const oldUid = (await hostHealth('dc-a'))!.metadata.uid;
    await cluster.kubectl(['delete', 'hosthealth', 'dc-a', '--wait=false']);
    await waitReleased('dc-a');
    await waitFor('a new HostHealth for dc-a (the node is still selected)', async () => {
      const h = await hostHealth('dc-a');
      return h && h.metadata.uid !== oldUid ? true : undefined;
    });
    const reasons = (await eventsFor(kube, 'FaultPolicy', policy)).map((e) => e.reason);
    assert.ok(reasons.includes('HostReleased'), `policy events: ${reasons.join(', ')}`);
  });

  it('a node relabelled out of the policy while Down: said in an Event, then let go of', async function () {
    await bringDown('dc-b');
    await kube.core.patchNode(
      { name: 'dc-b', body: { metadata: { labels: { 'dc-test': null } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await waitReleased('dc-b');
    await waitForHostHealths(kube, policy, ['dc-a', 'dc-c', 'dc-d']);
    const reasons = (await eventsFor(kube, 'FaultPolicy', policy)).map((e) => e.reason);
    assert.ok(reasons.includes('HostHealthDeletedDuringFault'), `policy events: ${reasons.join(', ')}`);
  });

  it('the policy deleted while a host is Down: the host is let go of before the policy goes', async function () {
    await bringDown('dc-c');
    await cluster.kubectl(['delete', 'faultpolicy', policy, '--wait=false']);
    await waitReleased('dc-c');
    await waitFor('the policy and its HostHealths to be gone', async () =>
      !(await getPolicy(kube, policy)) && (await listHostHealths(kube, policy)).length === 0
        ? true
        : undefined,
    );
    const reasons = (await eventsFor(kube, 'HostHealth', 'dc-c')).map((e) => e.reason);
    assert.ok(reasons.includes('HostReleased'), `HostHealth events: ${reasons.join(', ')}`);
    assert.equal(nova!.state.computeService('dc-d')!.forcedDown, false, 'a healthy host is left alone');
  });
});
