// The inspector endpoint on a real control plane: Doctor's seed event marks the host Down; bad, oversized
// and unauthenticated posts are refused and change nothing; monitors authenticate with their projected
// token and count as exactly one observer, their own node, whatever the body says.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crdApi, type HostHealth } from '../../../src/api/types.js';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNodes, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { monitorPodToken } from '../../../tools/cluster/kube/pod-token.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { eventsFor, listMonitorPods, policyYaml, waitForHostHealths } from '../operator/helpers.js';

const seedBody =
  '[{"id":"0a2b5c1e-6f5e-4d5a-8a1c-2b0c2f8e6d11","time":"2017-05-08T13:50:39.710436","type":"compute.host.down","details":{"hostname":"compute-1","status":"down","monitor":"sample","monitor_event_id":"1"}}]';
const staticToken = 'external-monitor-secret-token';
/** The Secret key naming the observer the static token stands for. */
const staticObserver = 'doctor-sample';

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return {
    status: res.status,
    body: (await res.json().catch(() => ({}))) as { error?: string; accepted?: number },
  };
}

describe('inspector endpoint /events', function () {
  this.timeout(120_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let operator: OperatorProcess | undefined;
  const nodes = ['compute-1', 'compute-2', 'compute-3', 'compute-4', 'compute-5'];

  const hostHealth = async (name: string) =>
    (await kube.custom.getClusterCustomObject({
      ...crdApi,
      plural: 'hosthealths',
      name,
    })) as HostHealth;

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'inspector-token' }, stringData: { [staticObserver]: staticToken } },
    });
    await createKwokNodes(kube.core, nodes, { labels: { 'insp-test': 'enabled' }, subnet: '198.18.8' });
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'inspector',
      extraArgs: ['--lease-name', 'insp-test', '--inspector-token-secret', 'inspector-token'],
    });
    await kubectlApply(cluster, { yaml: policyYaml('insp-policy', 'insp-test') });
    await waitForHostHealths(kube, 'insp-policy', nodes);
    await waitFor('the inspector to accept reports', async () =>
      (await operator!.isLeader()) ? true : undefined,
    );
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', 'insp-policy', '--ignore-not-found', '--wait=false']);
    await kube?.core
      .deleteNamespacedSecret({ name: 'inspector-token', namespace: operatorNamespace })
      .catch(() => undefined);
    await operator?.stop();
    if (kube) await deleteNodes(kube.core, nodes);
  });

  it('refuses unauthenticated, malformed and oversized posts with 401/400/413 and changes nothing', async function () {
    const url = operator!.eventsUrl;
    const unauthenticated = await post(url, seedBody);
    assert.equal(unauthenticated.status, 401);
    assert.match(unauthenticated.body.error ?? '', /token/);
    const wrongToken = await post(url, seedBody, { 'x-auth-token': 'guess' });
    assert.equal(wrongToken.status, 401);

    const auth = { 'x-auth-token': staticToken };
    const notJson = await post(url, '[{"id": ', auth);
    assert.equal(notJson.status, 400);
    const missingHost = await post(url, seedBody.replace('"hostname":"compute-1",', ''), auth);
    assert.equal(missingHost.status, 400);
    assert.match(missingHost.body.error ?? '', /details\.hostname/);
    const oversized = await post(url, `[${'{"x":1},'.repeat(200_000)}{"x":1}]`, auth);
    assert.equal(oversized.status, 413);

    await new Promise((r) => setTimeout(r, 500));
    const hh = await hostHealth('compute-1');
    assert.notEqual(hh.status?.state, 'Down');
    assert.equal(hh.status?.faults?.length ?? 0, 0);
  });

  it("marks the host Down from Doctor's exact seed event, once", async function () {
    const accepted = await post(operator!.eventsUrl, seedBody, { 'x-auth-token': staticToken });
    assert.equal(accepted.status, 200, accepted.body.error);
    const down = await waitFor('compute-1 to be Down', async () => {
      const hh = await hostHealth('compute-1');
      return hh.status?.state === 'Down' ? hh : undefined;
    });
    const timeline = down.status!.timeline!;
    assert.ok(timeline.faultId && timeline.T01 && timeline.T02 && timeline.T03, JSON.stringify(timeline));
    assert.ok(timeline.T02 <= timeline.T03);
    assert.equal(down.status!.activeFaults, 1);
    await waitFor('a HostDown Event', async () =>
      (await eventsFor(kube, 'HostHealth', 'compute-1')).some((e) => e.reason === 'HostDown')
        ? true
        : undefined,
    );

    const again = await post(operator!.eventsUrl, seedBody, { 'x-auth-token': staticToken });
    assert.equal(again.status, 200);
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await hostHealth('compute-1');
    assert.equal(
      after.status?.faults?.length,
      down.status!.faults!.length,
      'the same event again opens no new fault',
    );
    assert.equal(after.status?.timeline?.faultId, timeline.faultId);
    assert.equal(after.status?.timeline?.T03, timeline.T03);
  });

  /** A projected token of the monitor Pod on `node`, as its kubelet would mount it. */
  async function monitorBearer(node: string): Promise<{ authorization: string }> {
    const pod = await waitFor(`a monitor Pod on ${node}`, async () =>
      (await listMonitorPods(kube, operatorNamespace, 'insp-policy')).find((p) => p.spec?.nodeName === node),
    );
    return { authorization: `Bearer ${await monitorPodToken(cluster, pod.metadata!.name!)}` };
  }

  it("accepts a monitor's projected token only for reports from the monitor's own node", async function () {
    const bearer = await monitorBearer('compute-2');
    const report = (observer: string) =>
      JSON.stringify([
        {
          id: `r-${observer}`,
          time: new Date().toISOString(),
          type: 'compute.host.up',
          details: {
            hostname: 'compute-3',
            status: 'up',
            monitor: 'doctor-monitor',
            monitor_event_id: `m-${observer}`,
            observer,
          },
        },
      ]);
    const own = await post(operator!.eventsUrl, report('compute-2'), bearer);
    assert.equal(own.status, 200, own.body.error);
    const foreign = await post(operator!.eventsUrl, report('compute-3'), bearer);
    assert.equal(foreign.status, 403);
    assert.match(foreign.body.error ?? '', /compute-2/);
    const wrongAudience = await cluster.kubectl([
      '-n',
      operatorNamespace,
      'create',
      'token',
      'doctor-monitor',
      '--duration',
      '10m',
    ]);
    const refused = await post(operator!.eventsUrl, report('compute-2'), {
      authorization: `Bearer ${wrongAudience.stdout.trim()}`,
    });
    assert.equal(refused.status, 401);
  });

  it("counts one node's token as one observer: monitor names in the body cannot make a quorum", async function () {
    // compute-5 watches compute-3 and says it is up, so compute-3 has two observers and quorum 2 holds.
    const heartbeat = (host: string, monitor: string, peers: Record<string, string>, observer?: string) =>
      JSON.stringify([
        {
          id: `hb-${host}-${monitor}`,
          time: new Date().toISOString(),
          type: 'compute.host.heartbeat',
          details: {
            hostname: host,
            status: 'up',
            monitor,
            monitor_event_id: `hb-${host}-${monitor}`,
            ...(observer ? { observer } : {}),
            peers: Object.entries(peers).map(([hostname, status]) => ({ hostname, status })),
          },
        },
      ]);
    const fromB = await post(
      operator!.eventsUrl,
      heartbeat('compute-5', 'doctor-monitor', { 'compute-3': 'up' }, 'compute-5'),
      await monitorBearer('compute-5'),
    );
    assert.equal(fromB.status, 200, fromB.body.error);
    // The reported attack: node compute-4's valid token, heartbeats without details.observer under the
    // monitor names x1 and x2, each naming compute-3 down.
    const tokenA = await monitorBearer('compute-4');
    for (const monitor of ['x1', 'x2']) {
      const res = await post(
        operator!.eventsUrl,
        heartbeat('compute-4', monitor, { 'compute-3': 'down' }),
        tokenA,
      );
      assert.equal(res.status, 200, res.body.error);
    }
    // Claiming another observer outright is refused and counts for nothing.
    const claimed = await post(
      operator!.eventsUrl,
      heartbeat('compute-4', 'x3', { 'compute-3': 'down' }, 'compute-1'),
      tokenA,
    );
    assert.equal(claimed.status, 403);
    await new Promise((r) => setTimeout(r, 2_000));
    const c = await hostHealth('compute-3');
    assert.notEqual(c.status?.state, 'Down', JSON.stringify(c.status));
    assert.equal(c.status?.faults?.length ?? 0, 0);
    const observers = (c.status?.observers ?? []).map((o) => o.node);
    for (const forged of ['x1', 'x2', 'x3'])
      assert.ok(!observers.includes(forged), JSON.stringify(observers));
  });
});
