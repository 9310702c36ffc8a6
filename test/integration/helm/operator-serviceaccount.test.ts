// The RBAC of the chart in use, not just on paper: `doctor operator` runs with the token of the chart's
// doctor-operator ServiceAccount (nothing else), and a policy goes through its whole life: Lease, monitor
// ConfigMap and DaemonSet, HostHealths, Events, status, a monitor's report checked by TokenReview, and the
// finalizer on deletion. Any missing permission shows up as a step that never happens or a 403 in its log.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { serviceAccountToken, tokenKubeconfig } from '../../../tools/cluster/kube/token-kubeconfig.js';
import { createKwokNodes, deleteNodes, waitForNodesReady } from '../../../tools/cluster/kube/nodes.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { sharedCluster } from '../../support/shared-cluster.js';
import {
  eventsFor,
  listHostHealths,
  listMonitorPods,
  waitForHostHealths,
  waitForPolicyCondition,
} from '../operator/helpers.js';
import { installRelease, removeRelease, uniqueNamespace } from './helm.js';

describe('helm chart RBAC in use: the operator runs as its ServiceAccount', function () {
  this.timeout(240_000);
  let cluster: Cluster;
  let kube: KubeClients;
  let operator: OperatorProcess | undefined;
  const ns = uniqueNamespace('helm-sa');
  const policy = `${ns}-hosts`;
  const nodes = [`${ns}-node-0`, `${ns}-node-1`];

  const createToken = (serviceAccount: string, extra: string[] = []) =>
    serviceAccountToken(cluster, ns, serviceAccount, extra);

  before(async function () {
    cluster = await sharedCluster();
    kube = kubeClients(cluster.kubeconfigPath);
    await installRelease(cluster, ns);
    await createKwokNodes(kube.core, nodes, {
      labels: { 'doctor.io/test-policy': policy },
      subnet: '198.18.9',
    });
    await waitForNodesReady(kube.core, nodes);
    const dir = join(cluster.runDir, ns);
    mkdirSync(dir, { recursive: true });
    const kubeconfig = join(dir, 'kubeconfig-doctor-operator');
    tokenKubeconfig(cluster.kubeconfigPath, await createToken('doctor-operator'), kubeconfig);
    // A stand-in for the operator's own Pod, which the leader labels for the inspector Service.
    await kube.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: `${ns}-operator` },
        spec: {
          nodeName: nodes[0],
          automountServiceAccountToken: false,
          containers: [{ name: 'operator', image: 'doctor-operator:test' }],
        },
      },
    });
    operator = await startOperatorProcess({
      kubeconfig,
      logDir: dir,
      identity: `${ns}-operator`,
      namespace: ns,
      extraArgs: [
        '--monitor-service-account',
        'doctor-monitor',
        '--inspector-auth',
        'tokenreview',
        '--pod-name',
        `${ns}-operator`,
      ],
    });
  });

  after(async function () {
    await cluster?.kubectl(['delete', 'faultpolicy', policy, '--ignore-not-found', '--wait=false']);
    if (kube) {
      // Let the operator finalize the policy while it still runs; bounded, cleanup goes on regardless.
      await waitFor(
        'the test policy to be gone',
        async () => ((await listHostHealths(kube, policy)).length === 0 ? true : undefined),
        {
          timeoutMs: 20_000,
        },
      ).catch(() => undefined);
    }
    await operator?.stop();
    if (kube) await deleteNodes(kube.core, nodes);
    await removeRelease(cluster, ns);
  });

  it('takes the Lease, runs a policy, checks a monitor token, and finalizes the policy, with no 403', async function () {
    await waitFor(
      'the operator to lead (Lease in its namespace)',
      async () => ((await operator!.isLeader()) ? true : undefined),
      {
        timeoutMs: 60_000,
      },
    );
    const lease = await cluster.kubectl([
      'get',
      'lease',
      'doctor-operator-leader',
      '--namespace',
      ns,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    assert.equal(lease.stdout, `${ns}-operator`);
    await waitFor('the leader to label its own Pod for the inspector Service', async () => {
      const pod = await kube.core.readNamespacedPod({ name: `${ns}-operator`, namespace: ns });
      return pod.metadata?.labels?.['doctor.io/inspector-leader'] === 'true' ? true : undefined;
    });

    await kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${policy}}
spec:
  nodeSelector: {matchLabels: {doctor.io/test-policy: ${policy}}}
`,
    });
    await waitForHostHealths(kube, policy, nodes);
    await waitForPolicyCondition(kube, policy, 'Ready', 'True');
    const pods = await waitFor(
      'a Running monitor Pod on each node',
      async () => {
        const running = (await listMonitorPods(kube, ns, policy)).filter(
          (p) => p.status?.phase === 'Running',
        );
        return running.length === nodes.length ? running : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const reasons = (await eventsFor(kube, 'FaultPolicy', policy)).map((e) => e.reason);
    assert.ok(reasons.includes('DaemonSetCreated'), `events in default: ${reasons.join(', ')}`);

    // A monitor's projected-style token (bound to its Pod, audience doctor-inspector): the inspector can
    // only accept it through a TokenReview, which the operator's ServiceAccount must be allowed to create.
    const pod = pods[0]!;
    const observer = pod.spec!.nodeName!;
    const monitorToken = await createToken('doctor-monitor', [
      '--audience=doctor-inspector',
      '--bound-object-kind=Pod',
      `--bound-object-name=${pod.metadata!.name!}`,
    ]);
    const report = JSON.stringify([
      {
        id: `${ns}-report`,
        time: new Date().toISOString(),
        type: 'compute.host.up',
        details: {
          hostname: nodes.find((n) => n !== observer),
          status: 'up',
          monitor: 'helm-test',
          monitor_event_id: `${ns}-1`,
          observer,
        },
      },
    ]);
    const post = (token: string) =>
      fetch(operator!.eventsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: report,
        signal: AbortSignal.timeout(10_000),
      });
    const accepted = await post(monitorToken);
    assert.equal(accepted.status, 200, await accepted.text());
    const operatorToken = await createToken('doctor-operator', ['--audience=doctor-inspector']);
    assert.notEqual((await post(operatorToken)).status, 200, 'only the monitor ServiceAccount may report');

    await cluster.kubectl(['delete', 'faultpolicy', policy, '--wait=false']);
    await waitFor('the HostHealths of the deleted policy to be removed', async () =>
      (await listHostHealths(kube, policy)).length === 0 ? true : undefined,
    );
    const gone = await waitFor(
      'the policy to be finalized',
      async () => {
        const result = await cluster.kubectl(['get', 'faultpolicy', policy, '-o', 'name']);
        return result.code !== 0 ? result.stderr : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.match(gone, /not found/i);

    const log = readFileSync(operator!.process.logPath, 'utf8');
    // API denials read "... is forbidden: User ... cannot <verb> ..."; the inspector's own 403 to the
    // operator token above is a refused report, not a missing permission.
    const forbidden = log
      .split('\n')
      .filter((line) => /is forbidden|cannot (get|list|watch|create|patch|update|delete)/i.test(line));
    assert.deepEqual(forbidden, [], 'the operator hit permissions it lacks');
  });
});
