// Baseline: what a user waits for today without doctor-operator. Vanilla
// Kubernetes' node-lifecycle controller with its default settings (node-monitor-grace-period 50 s,
// node-monitor-period 5 s) notices a dead kubelet only when the Node's heartbeats (Lease renewals and
// status updates) stop for longer than the grace period. We start a control plane that runs that
// controller, let kwok heartbeat a Node, stop that heartbeat (kwok, the fake kubelet, stops) and time until
// the Node's Ready condition is no longer True; then compare with our detection time.
import { parseArgs } from 'node:util';
import type * as k8s from '@kubernetes/client-node';
import { startCluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { kubeClients } from '../../tools/cluster/kube/client.js';
import { createKwokNode, waitForNodesReady } from '../../tools/cluster/kube/nodes.js';
import type { BenchResult } from '../lib/report.js';
import { errorText } from '../../src/util/error-text.js';

/** The controller's name in kube-controller-manager --controllers (Kubernetes 1.36). */
const nodeLifecycleController = 'node-lifecycle-controller';
const nodeName = 'baseline-node';
/** Default grace period 50 s + a 5 s monitor period + kwok's lease renew interval: 3 minutes is ample. */
const notReadyTimeoutMs = 180_000;
/** Detection time used for the ratio when the caller has not measured one (T01-T00 median, ms). */
const defaultDetectionMs = 250;

function readyCondition(node: k8s.V1Node): k8s.V1NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** When kwok last renewed the Node's Lease (its kubelet heartbeat), epoch ms; undefined without one. */
async function lastLeaseRenewal(kube: ReturnType<typeof kubeClients>): Promise<number | undefined> {
  const lease = (await kube.objects
    .read({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: nodeName, namespace: 'kube-node-lease' },
    })
    .catch(() => undefined)) as { spec?: { renewTime?: Date | string } } | undefined;
  const renew = lease?.spec?.renewTime;
  return renew === undefined ? undefined : new Date(renew).getTime();
}

export async function runNodeLifecycleBaseline(options: {
  log: (line: string) => void;
  /** Our detection latency (T01-T00 median) in ms, for the ratio. */
  ourDetectionMs?: number;
}): Promise<BenchResult> {
  const { log } = options;
  const ourDetectionMs = options.ourDetectionMs ?? defaultDetectionMs;
  if (!(ourDetectionMs > 0))
    throw new Error(`ourDetectionMs must be a positive number, got ${ourDetectionMs}`);
  log(`node-lifecycle baseline: starting a control plane with the ${nodeLifecycleController}`);
  const cluster = await startCluster({ log: () => undefined, extraControllers: [nodeLifecycleController] });
  try {
    const kube = kubeClients(cluster.kubeconfigPath);
    await createKwokNode(kube.core, { name: nodeName, labels: { 'baseline-bench': 'enabled' } });
    await waitForNodesReady(kube.core, [nodeName]);
    // Wait for a Lease renewal so the controller has seen a live heartbeat before the "failure".
    await waitFor(
      'kwok to renew the Node Lease',
      async () => ((await lastLeaseRenewal(kube)) ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    log(`  ${nodeName} Ready with a Lease; stopping its heartbeat (stopping kwok, its fake kubelet)`);

    const failedAt = Date.now();
    // The fake kubelet dies: kwok (it fakes only this Node's kubelet here) stops, so no more Lease renewals
    // or status updates. Removing kwok's node annotation instead does not work: kwok 0.7 keeps managing a
    // Node it once picked up.
    const kwok = cluster.components.find((c) => c.name === 'kwok');
    if (!kwok) throw new Error('the control plane has no kwok component to stop');
    await kwok.stop();
    const lastHeartbeat = (await lastLeaseRenewal(kube)) ?? failedAt;
    let nextProgress = failedAt + 10_000;
    const notReady = await waitFor(
      `the node-lifecycle controller to mark ${nodeName} not Ready`,
      async () => {
        const node = await kube.core.readNode({ name: nodeName });
        const ready = readyCondition(node);
        if (Date.now() >= nextProgress) {
          log(
            `  waiting: ${((Date.now() - failedAt) / 1000).toFixed(0)} s, Ready=${ready?.status ?? 'absent'}`,
          );
          nextProgress += 10_000;
        }
        return ready && ready.status !== 'True' ? { at: Date.now(), condition: ready } : undefined;
      },
      { timeoutMs: notReadyTimeoutMs, intervalMs: 250 },
    );
    const baselineMs = notReady.at - failedAt;
    const sinceLastHeartbeatMs = notReady.at - lastHeartbeat;
    log(
      `  ${nodeName} Ready=${notReady.condition.status} (${notReady.condition.reason ?? ''}) after ` +
        `${(baselineMs / 1000).toFixed(1)} s (${(sinceLastHeartbeatMs / 1000).toFixed(1)} s after its last heartbeat)`,
    );
    const ratio = baselineMs / ourDetectionMs;
    return {
      benchmark: 'baseline-node-lifecycle',
      description:
        'vanilla Kubernetes node-lifecycle controller, default settings: heartbeat stopped -> Node Ready not True',
      settings: { 'node-monitor-grace-period': '50 s (default)', 'node-monitor-period': '5 s (default)' },
      figures: [
        {
          name: 'heartbeat stopped -> Node not Ready',
          value: baselineMs / 1000,
          unit: 's',
          statistic: 'single',
          samples: 1,
          note: 'baseline: what a user waits for without doctor-operator',
        },
        {
          name: 'baseline / doctor detection',
          value: ratio,
          unit: 'x',
          statistic: 'single',
          samples: 1,
          note: `context: doctor detection ${ourDetectionMs} ms${options.ourDetectionMs === undefined ? ' (assumed: functest did not run)' : ' (functest median)'}`,
        },
      ],
      details: {
        controller: nodeLifecycleController,
        baselineMs,
        sinceLastHeartbeatMs,
        ourDetectionMs,
        readyCondition: { status: notReady.condition.status, reason: notReady.condition.reason },
      },
    };
  } finally {
    await cluster.stop();
  }
}

// Standalone: node dist/bench/baseline/node-lifecycle.js [--our-detection-ms 250]
if (process.argv[1]?.endsWith('/bench/baseline/node-lifecycle.js')) {
  const { values } = parseArgs({ options: { 'our-detection-ms': { type: 'string' } } });
  runNodeLifecycleBaseline({
    log: (s) => console.log(s),
    ...(values['our-detection-ms'] !== undefined
      ? { ourDetectionMs: Number(values['our-detection-ms']) }
      : {}),
  }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err: unknown) => {
      console.error(`node-lifecycle baseline failed: ${errorText(err)}`);
      process.exitCode = 1;
    },
  );
}
