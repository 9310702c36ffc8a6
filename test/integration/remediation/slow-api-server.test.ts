// Nothing between the decision and Nova waits for Kubernetes: the operator runs as a process behind a
// proxy to the real API server which, once everything is set up, holds every request for seconds. A host
// reported down must still see its nova-compute forced down and all its servers reset before the API
// server can have received anything about it (not even the HostHealth status that says Down).
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
import { startSlowProxy, type SlowProxy } from '../../../tools/cluster/kube/slow-proxy.js';
import { start as startNovaSim, type NovaSim } from '../../../tools/nova-sim/index.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import { waitForHostHealths } from '../operator/helpers.js';

const apiDelayMs = 5_000;
const hosts = ['slowapi-a', 'slowapi-b'];
const serversPerHost = 50;

describe('fault path with a slow API server', function () {
  this.timeout(240_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let proxy: SlowProxy | undefined;
  let nova: NovaSim | undefined;
  let operator: OperatorProcess | undefined;

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    nova = await startNovaSim({ hosts, serversPerHost });
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'slowapi-clouds' }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
    });
    await createKwokNodes(kube.core, hosts, { labels: { 'slowapi-test': 'enabled' }, subnet: '198.18.11' });
    proxy = await startSlowProxy(cluster.server, 0);
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    operator = await startOperatorProcess({
      kubeconfig: proxy.kubeconfig(cluster.kubeconfigPath, join(logDir, 'slowapi-kubeconfig')),
      logDir,
      identity: 'slowapi',
      // Leases long enough that renewals held by the proxy do not cost the leadership.
      extraArgs: [
        '--lease-name',
        'slowapi-test',
        '--inspector-auth',
        'none',
        '--lease-duration',
        '40',
        '--renew-deadline',
        '30',
        '--retry-period',
        '2',
      ],
    });
    await kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: slowapi-policy}
spec:
  nodeSelector: {matchLabels: {slowapi-test: enabled}}
  protection: {maxUnhealthy: 1}
  actions:
    nova: {cloudSecretRef: {name: slowapi-clouds}}
`,
    });
    await waitForHostHealths(kube, 'slowapi-policy', hosts);
    await waitFor('the operator to lead', async () => ((await operator!.isReady()) ? true : undefined), {
      timeoutMs: 120_000,
    });
    // The warm-up has listed both hosts' servers: the operator knows its Nova work ahead.
    await waitFor(
      "the operator's warm-up to list the hosts' servers",
      () =>
        Promise.resolve(
          hosts.every((h) => nova!.novaCalls('GET', /\/servers\/detail$/).some((c) => c.query.includes(h)))
            ? true
            : undefined,
        ),
      { timeoutMs: 120_000, intervalMs: 200 },
    );
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', 'slowapi-policy', '--ignore-not-found', '--wait=false']);
    await operator?.stop();
    await proxy?.stop();
    await nova?.stop();
    await kube?.core
      .deleteNamespacedSecret({ name: 'slowapi-clouds', namespace: operatorNamespace })
      .catch(() => undefined);
    if (kube) await deleteNodes(kube.core, hosts);
  });

  it('forces the service down and resets every server before the API server hears the host is Down', async () => {
    const victim = hosts[0]!;
    nova!.clearCalls();
    proxy!.setDelay(apiDelayMs);
    const posted = Date.now();
    // The report is answered once its Down is recorded in status (slow here); Nova must not wait for that.
    const answered = fetch(operator!.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          id: 'slowapi-down-1',
          time: new Date().toISOString(),
          type: 'compute.host.down',
          details: { hostname: victim, status: 'down', monitor: 'sample', monitor_event_id: 'slowapi-1' },
        },
      ]),
      signal: AbortSignal.timeout(60_000),
    });
    const downSeen = await waitFor(
      `HostHealth ${victim} Down in the API server`,
      async () => {
        const hh = (await kube.custom.getClusterCustomObject({
          ...crdApi,
          plural: 'hosthealths',
          name: victim,
        })) as HostHealth;
        return hh.status?.state === 'Down' ? Date.now() : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 25 },
    );
    assert.ok(downSeen - posted >= apiDelayMs, 'the proxy held the status write back');
    // 200 once the Down is recorded, or 503 (the monitor retries) when that took longer than the
    // inspector waits: either way the answer came after the Nova calls, never before them.
    const answer = await answered;
    assert.ok([200, 503].includes(answer.status), `answered ${answer.status}`);
    const forceDown = nova!.novaCalls('PUT', /\/os-services\//);
    const resets = nova!.novaCalls('POST', /\/servers\/[^/]+\/action$/);
    assert.equal(forceDown.length, 1, 'one force-down PUT');
    assert.equal(new Set(resets.map((c) => c.path)).size, serversPerHost, 'every server reset');
    const arrivals = [...forceDown, ...resets].map((c) => c.startedAtMs - posted);
    // Anything awaited from the API server would put the Nova calls at or after apiDelayMs.
    assert.ok(
      Math.min(...arrivals) < apiDelayMs / 2,
      `the first Nova write arrived ${Math.round(Math.min(...arrivals))} ms after the report`,
    );
    assert.ok(
      Math.max(...arrivals) < apiDelayMs,
      `the last Nova write arrived ${Math.round(Math.max(...arrivals))} ms after the report, not before ` +
        `the API server could hear of the fault (${apiDelayMs} ms)`,
    );
    assert.equal(nova!.state.computeService(victim)?.forcedDown, true);
  });
});
