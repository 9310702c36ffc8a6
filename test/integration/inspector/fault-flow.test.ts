// The whole inspector path on a real control plane, with the operator and the sample consumer as
// processes and the Nova simulator enforcing the api-ref: an external monitor's report -> HostHealth Down,
// Nova service forced down (UUID path), every one of 130 servers across pages reset to error, one Aodh
// notification per server, Node tainted, Events; the same report again repeats nothing; recovery undoes
// it all; a storm beyond maxUnhealthy is held back without a single Nova call, and an operator restarted
// during the storm ends it when the hosts come back. Faults injected into this path (a killed leader, the
// API server stopped, Nova failing, a consumer down) are in fault-injection/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crdApi, type HostHealth } from '../../../src/api/types.js';
import type { ArrivalRecord } from '../../../src/consumer/recorder.js';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { hostReport, hostReportEvent, postJson } from '../../support/fault-injection/host-report.js';
import { freePort } from '../../../tools/cluster/ports.js';
import type { ComponentProcess } from '../../../tools/cluster/process.js';
import { readArrivals, startConsumerProcess } from '../../../tools/demo/consumer-process.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNodes, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { start as startNovaSim, type NovaSim } from '../../../tools/nova-sim/index.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { eventsFor, getPolicy, waitForHostHealths } from '../operator/helpers.js';

const serversPerHost = 130;

const report = hostReport;
const post = postJson;

describe('fault flow: report -> Nova, Node, consumers -> recovery', function () {
  this.timeout(180_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let nova: NovaSim | undefined;
  let operator: OperatorProcess | undefined;
  let consumer: ComponentProcess | undefined;
  let recordFile: string;
  let consumerPort = 0;
  const operatorArgs = ['--lease-name', 'flow-test', '--inspector-auth', 'none'];
  const hosts = ['flow-a', 'flow-b', 'flow-c', 'flow-d'];

  const hostHealth = async (name: string) =>
    (await kube.custom.getClusterCustomObject({
      ...crdApi,
      plural: 'hosthealths',
      name,
    })) as HostHealth;
  const arrivals = (): ArrivalRecord[] => readArrivals(recordFile);

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    nova = await startNovaSim({ hosts, serversPerHost, maxPageSize: 20 });
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'flow-clouds' }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
    });
    await createKwokNodes(kube.core, hosts, { labels: { 'flow-test': 'enabled' }, subnet: '198.18.9' });
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    recordFile = join(logDir, 'flow-consumer-arrivals.jsonl');
    consumerPort = await freePort();
    consumer = startConsumerProcess({
      name: 'flow-consumer',
      port: consumerPort,
      recordFile,
      logPath: join(logDir, 'flow-consumer.log'),
    });
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'flow',
      extraArgs: operatorArgs,
    });
    await kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: flow-policy}
spec:
  nodeSelector: {matchLabels: {flow-test: enabled}}
  detection: {healthySeconds: 2}
  protection: {maxUnhealthy: 1}
  actions:
    nova: {cloudSecretRef: {name: flow-clouds}}
    notify:
      - {name: vnfm, url: "http://127.0.0.1:${consumerPort}/failure"}
`,
    });
    await waitForHostHealths(kube, 'flow-policy', hosts);
    await waitFor('the inspector to accept reports', async () =>
      (await operator!.isLeader()) ? true : undefined,
    );
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', 'flow-policy', '--ignore-not-found', '--wait=false']);
    await operator?.stop();
    await consumer?.stop();
    await nova?.stop();
    await kube?.core
      .deleteNamespacedSecret({ name: 'flow-clouds', namespace: operatorNamespace })
      .catch(() => undefined);
    if (kube) await deleteNodes(kube.core, hosts);
  });

  it('marks the host Down, forces its service down, resets every server, taints the Node and notifies once per server', async function () {
    assert.equal(await post(operator!.eventsUrl, report('compute.host.down', 'flow-a', 'down-1')), 200);
    const done = await waitFor(
      'the remediation of flow-a to finish (T08)',
      async () => {
        const hh = await hostHealth('flow-a');
        return hh.status?.timeline?.T08 ? hh : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const status = done.status!;
    assert.equal(status.state, 'Down');
    const points = ['T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T07', 'T08'] as const;
    const times = points.map((p) => status.timeline?.[p]);
    assert.ok(times.every(Boolean), `every timeline point is set: ${JSON.stringify(status.timeline)}`);
    // Causal order: detection, then the decision, then Nova, resets and notifications run in parallel
    // (a server's notification follows its own reset, so T06 may precede T05), then T07 and T08.
    const at = (p: (typeof points)[number]) => Date.parse(status.timeline![p]!);
    const before: [(typeof points)[number], (typeof points)[number]][] = [
      ['T02', 'T03'],
      ['T03', 'T04'],
      ['T03', 'T05'],
      ['T03', 'T06'],
      ['T06', 'T07'],
      ['T04', 'T08'],
      ['T05', 'T08'],
      ['T07', 'T08'],
    ];
    for (const [earlier, later] of before)
      assert.ok(at(earlier) <= at(later), `${earlier} is after ${later}`);
    assert.deepEqual(status.servers, { found: serversPerHost, markedError: serversPerHost });

    const service = nova!.state.computeService('flow-a')!;
    assert.equal(service.forcedDown, true);
    assert.equal(service.status, 'disabled');
    assert.ok(
      nova!.novaCalls('PUT', /\/os-services\/[0-9a-f-]{36}$/).length >= 1,
      'forced down through the 2.53+ UUID path',
    );
    const servers = nova!.state.serversOnHost('flow-a');
    assert.equal(servers.length, serversPerHost);
    assert.ok(
      servers.every((s) => s.vmState === 'error'),
      'every server is in error',
    );
    assert.ok(
      nova!.novaCalls('GET', /\/servers\/detail/).length >= serversPerHost / 20,
      'the list was paged',
    );

    const downs = await waitFor('one notification per server', () => {
      const got = arrivals().filter((a) => a.host === 'flow-a' && !a.duplicate);
      return Promise.resolve(got.length >= serversPerHost ? got : undefined);
    });
    assert.equal(new Set(downs.map((a) => a.server)).size, serversPerHost);
    assert.equal(
      new Set(downs.map((a) => a.id)).size,
      serversPerHost,
      'each notification has its own stable id',
    );

    const node = await kube.core.readNode({ name: 'flow-a' });
    assert.ok(node.spec?.taints?.some((t) => t.key === 'doctor.io/host-down' && t.effect === 'NoSchedule'));
    const reasons = (await eventsFor(kube, 'HostHealth', 'flow-a')).map((e) => e.reason);
    assert.ok(reasons.includes('HostDown'), `HostHealth events: ${reasons.join(', ')}`);
    const nodeReasons = (await eventsFor(kube, 'Node', 'flow-a')).map((e) => e.reason);
    assert.ok(nodeReasons.length > 0, 'Events on the Node too');
  });

  it('repeats nothing when the same report arrives again', async function () {
    const resetsBefore = nova!.novaCalls('POST', /\/action$/).length;
    const notificationsBefore = arrivals().length;
    const faultsBefore = (await hostHealth('flow-a')).status?.faults?.length;
    assert.equal(await post(operator!.eventsUrl, report('compute.host.down', 'flow-a', 'down-1')), 200);
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(nova!.novaCalls('POST', /\/action$/).length, resetsBefore);
    assert.equal(arrivals().length, notificationsBefore);
    assert.equal((await hostHealth('flow-a')).status?.faults?.length, faultsBefore);
  });

  it('on recovery un-forces the service, removes the taint and notifies "up"', async function () {
    assert.equal(await post(operator!.eventsUrl, report('compute.host.up', 'flow-a', 'up-1')), 200);
    await waitFor(
      'flow-a to be Healthy, un-forced and untainted',
      async () => {
        const hh = await hostHealth('flow-a');
        const node = await kube.core.readNode({ name: 'flow-a' });
        const tainted = node.spec?.taints?.some((t) => t.key === 'doctor.io/host-down') ?? false;
        return hh.status?.state === 'Healthy' && !nova!.state.computeService('flow-a')!.forcedDown && !tainted
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await waitFor('"up" notifications', () =>
      Promise.resolve(
        arrivals().some((a) => a.host === 'flow-a' && /up|ok/i.test(`${a.type ?? ''}`)) ? true : undefined,
      ),
    );
  });

  it('holds back a storm beyond maxUnhealthy: no Nova call, StormActive, an Event naming the hosts', async function () {
    nova!.clearCalls();
    // Only the storm's hosts: 'up' notifications of the previous test may still be arriving.
    const stormHosts = new Set(['flow-b', 'flow-c', 'flow-d']);
    const stormArrivals = () =>
      arrivals().filter((a) => a.host !== undefined && stormHosts.has(a.host)).length;
    const notificationsBefore = stormArrivals();
    const status = await post(
      operator!.eventsUrl,
      JSON.stringify(
        ['flow-b', 'flow-c', 'flow-d'].map((host, i) =>
          hostReportEvent('compute.host.down', host, `storm-${i}`),
        ),
      ),
    );
    assert.equal(status, 200);
    const policy = await waitFor('StormActive on the policy', async () => {
      const p = await getPolicy(kube, 'flow-policy');
      return p?.status?.conditions?.find((c) => c.type === 'StormActive' && c.status === 'True')
        ? p
        : undefined;
    });
    assert.match(
      policy.status!.conditions!.find((c) => c.type === 'StormActive')!.message,
      /flow-b, flow-c, flow-d/,
    );
    await waitFor('a StormActive Event', async () =>
      (await eventsFor(kube, 'FaultPolicy', 'flow-policy')).some((e) => e.reason === 'StormActive')
        ? true
        : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    assert.deepEqual(
      nova!.novaCalls().filter((c) => c.method !== 'GET'),
      [],
      'no Nova call changed anything',
    );
    assert.equal(stormArrivals(), notificationsBefore, 'no consumer was notified about the storm hosts');
    for (const host of ['flow-b', 'flow-c', 'flow-d'])
      assert.notEqual((await hostHealth(host)).status?.state, 'Down');
    assert.deepEqual(policy.status!.stormHeldHosts, ['flow-b', 'flow-c', 'flow-d']);
  });

  it('an operator restarted during the storm ends it when the held hosts come back', async function () {
    const held = ['flow-b', 'flow-c', 'flow-d'];
    const reportAll = (type: 'compute.host.down' | 'compute.host.up', round: number) =>
      post(
        operator!.eventsUrl,
        JSON.stringify(held.map((host) => hostReportEvent(type, host, `restart-${type}-${round}-${host}`))),
      ).catch(() => 0); // refused while the operator restarts
    // The monitors keep saying down (a fresh down every 200 ms, bounded), so the storm is live when the
    // operator stops.
    let round = 0;
    await reportAll('compute.host.down', round++);
    const repeating = setInterval(() => {
      if (round < 300) void reportAll('compute.host.down', round++);
    }, 200);
    try {
      const live = await waitFor('the storm live, its hosts recorded', async () => {
        const p = await getPolicy(kube, 'flow-policy');
        const storm = p?.status?.conditions?.find((c) => c.type === 'StormActive');
        return storm?.status === 'True' && p?.status?.stormHeldHosts?.length === held.length ? p : undefined;
      });
      assert.deepEqual(live.status!.stormHeldHosts, held);
      await operator!.stop();
    } finally {
      clearInterval(repeating);
    }
    // The storm ends while no operator runs; the next one learns of it from the policy's status only.
    operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir: join(cluster.runDir, 'logs'),
      identity: 'flow-restarted',
      extraArgs: operatorArgs,
    });
    await waitFor('the restarted operator to lead', async () =>
      (await operator!.isLeader()) ? true : undefined,
    );
    assert.equal(await reportAll('compute.host.up', round++), 200);
    const policy = await waitFor('StormActive to return to False', async () => {
      const p = await getPolicy(kube, 'flow-policy');
      const storm = p?.status?.conditions?.find((c) => c.type === 'StormActive');
      return storm?.status === 'False' ? p : undefined;
    });
    assert.equal(policy.status!.stormHeldHosts, undefined, 'the held hosts are removed');
  });
});
