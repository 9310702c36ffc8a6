// FaultPolicy reconciler benchmark: 1000 kwok Nodes and one policy. Time from `kubectl apply` to
// all 1000 HostHealth objects present and to the policy Ready (every monitor Pod Running), repeated;
// then the operator's RSS and CPU at steady state, twice: with no reports at all, and with every monitor
// Pod's heartbeat arriving at the production rate (one per monitor every 5 s: 200/s for 1000 nodes) through
// the operator's real authentication. Goals: <= 30 s; <= 200 MB RSS; <= 2% of one core idle.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crdApi, type FaultPolicy } from '../../src/api/types.js';
import { startCluster, type Cluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { kubectlApply } from '../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../tools/cluster/kube/install.js';
import { createKwokNode } from '../../tools/cluster/kube/nodes.js';
import { startOperatorProcess } from '../../tools/demo/operator-process.js';
import type { BenchResult, Figure } from '../lib/report.js';
import { measureSteadyState } from '../lib/process-usage.js';
import { startHeartbeats, type HeartbeatCounts } from './heartbeats.js';
import { summary } from '../lib/stats.js';
import { errorText } from '../../src/util/error-text.js';
import { operatorNodeOptions, operatorV8Flags } from '../../src/operator/node-options.js';

// The monitor's default heartbeat period.
const heartbeatSeconds = 5;

async function createNodes(kube: KubeClients, count: number, log: (s: string) => void): Promise<void> {
  let created = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await createKwokNode(kube.core, {
        name: `scale-${String(i).padStart(4, '0')}`,
        labels: { 'scale-bench': 'enabled' },
        internalIP: `198.18.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`,
      });
      if (++created % 250 === 0) log(`  created ${created}/${count} nodes`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

async function countHostHealths(kube: KubeClients, policy: string): Promise<number> {
  const list = (await kube.custom.listClusterCustomObject({
    ...crdApi,
    plural: 'hosthealths',
    labelSelector: `doctor.io/policy=${policy}`,
  })) as { items: unknown[] };
  return list.items.length;
}

async function hasCondition(kube: KubeClients, policy: string, type: string): Promise<boolean> {
  const p = (await kube.custom.getClusterCustomObject({
    ...crdApi,
    plural: 'faultpolicies',
    name: policy,
  })) as FaultPolicy;
  return p.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}

/** A figure whose goal is an upper bound. */
/** The operator's CPU and memory over one measuring window, each held to its goal. */
function usageFigures(
  usage: { cpuPercent: number; rssMb: number; peakRssMb: number; rssReadings: number },
  settings: Record<string, string>,
): Figure[] {
  return [
    {
      name: 'operator CPU (mean over the window)',
      value: usage.cpuPercent,
      unit: '% of a core',
      statistic: 'single',
      samples: 1,
      settings,
      goal: { statistic: 'single', op: '<=', value: 2 },
    },
    {
      name: 'operator RSS, read once a second',
      value: usage.peakRssMb,
      unit: 'MB',
      statistic: 'max',
      samples: Math.max(1, usage.rssReadings),
      settings,
      goal: { statistic: 'max', op: '<=', value: 200 },
    },
  ];
}

async function removePolicy(cluster: Cluster, kube: KubeClients, policy: string): Promise<void> {
  await cluster.kubectl(['delete', 'faultpolicy', policy, '--wait=false']);
  // Delete owned objects directly instead of waiting for the garbage collector's discovery resync.
  await cluster.kubectl(['delete', 'hosthealths', '-l', `doctor.io/policy=${policy}`, '--wait=false']);
  await cluster.kubectl([
    '-n',
    operatorNamespace,
    'delete',
    'daemonset,configmap',
    '-l',
    `doctor.io/policy=${policy}`,
    '--wait=false',
  ]);
  await waitFor(
    `the objects of ${policy} to be gone`,
    async () => {
      const pods = await kube.core.listNamespacedPod({
        namespace: operatorNamespace,
        labelSelector: `doctor.io/policy=${policy}`,
      });
      return pods.items.length === 0 && (await countHostHealths(kube, policy)) === 0 ? true : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 1_000 },
  );
}

export async function runScaleBenchmark(options: {
  nodes: number;
  runs: number;
  idleSeconds: number;
  log: (s: string) => void;
}): Promise<BenchResult> {
  const { log } = options;
  log(`operator scale: starting a control plane and ${options.nodes} kwok nodes`);
  const cluster = await startCluster({ log: () => undefined });
  try {
    const kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await createNodes(kube, options.nodes, log);
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'bench',
    });
    await waitFor('the operator to lead', async () => ((await operator.isLeader()) ? true : undefined), {
      timeoutMs: 60_000,
    });

    const toHostHealths: number[] = [];
    const toReady: number[] = [];
    const toMonitors: number[] = [];
    const noReading = { cpuPercent: NaN, rssMb: NaN, peakRssMb: NaN, rssReadings: 0 };
    let idle = noReading;
    let beating = noReading;
    let heartbeatRate = NaN;
    let heartbeats: HeartbeatCounts = { sent: 0, accepted: 0, monitorsHeard: 0, failed: {} };
    try {
      for (let run = 1; run <= options.runs; run++) {
        const policy = `scale-${run}`;
        const start = Date.now();
        await kubectlApply(cluster, {
          yaml: `apiVersion: doctor.io/v1alpha1\nkind: FaultPolicy\nmetadata: {name: ${policy}}\nspec:\n  nodeSelector: {matchLabels: {scale-bench: enabled}}\n`,
        });
        let hostHealthsAt = 0;
        let readyAt = 0;
        await waitFor(
          `${options.nodes} HostHealths, the policy Ready and its monitors available`,
          async () => {
            if (!hostHealthsAt && (await countHostHealths(kube, policy)) === options.nodes)
              hostHealthsAt = Date.now();
            if (hostHealthsAt && !readyAt && (await hasCondition(kube, policy, 'Ready')))
              readyAt = Date.now();
            return readyAt && (await hasCondition(kube, policy, 'MonitorsAvailable')) ? true : undefined;
          },
          { timeoutMs: 300_000, intervalMs: 200 },
        );
        toHostHealths.push((hostHealthsAt - start) / 1000);
        toReady.push((readyAt - start) / 1000);
        toMonitors.push((Date.now() - start) / 1000);
        log(
          `  run ${run}/${options.runs}: HostHealths in ${toHostHealths.at(-1)!.toFixed(1)} s, Ready in ` +
            `${toReady.at(-1)!.toFixed(1)} s, every monitor Pod available in ${toMonitors.at(-1)!.toFixed(1)} s`,
        );
        if (run === options.runs) {
          // Let the last status writes and garbage collection of the burst settle before "idle".
          await new Promise((r) => setTimeout(r, 10_000));
          log(`  measuring the idle operator for ${options.idleSeconds} s (no reports)`);
          idle = await measureSteadyState(operator.process.pid, options.idleSeconds * 1000);
          const load = await startHeartbeats({
            kube,
            namespace: operatorNamespace,
            policy,
            eventsUrl: operator.eventsUrl,
            peers: 3,
            periodSeconds: heartbeatSeconds,
            log,
          });
          heartbeatRate = load.rate;
          try {
            // The first heartbeat of each monitor costs a TokenReview, makes its host Healthy (a status
            // write) and a full evaluation; the steady state starts once every monitor was heard from.
            await waitFor(
              'every monitor heartbeat to be accepted once',
              () => Promise.resolve(load.counts().monitorsHeard >= load.monitors ? true : undefined),
              { timeoutMs: 180_000, intervalMs: 500 },
            );
            await new Promise((r) => setTimeout(r, heartbeatSeconds * 1000));
            const before = load.counts();
            log(`  measuring the idle operator for ${options.idleSeconds} s with ${load.rate}/s heartbeats`);
            beating = await measureSteadyState(operator.process.pid, options.idleSeconds * 1000);
            const after = await load.stop();
            const failed: Record<string, number> = {};
            for (const [why, n] of Object.entries(after.failed)) {
              if (n > (before.failed[why] ?? 0)) failed[why] = n - (before.failed[why] ?? 0);
            }
            heartbeats = {
              sent: after.sent - before.sent,
              accepted: after.accepted - before.accepted,
              monitorsHeard: after.monitorsHeard,
              failed,
            };
          } finally {
            await load.stop();
          }
        } else {
          await removePolicy(cluster, kube, policy);
        }
      }
    } finally {
      await operator.stop();
    }
    // Started as the chart starts it: these Node options, and the V8 flags the operator sets itself as
    // it starts, are part of what the figures measure.
    const started = { 'node options': operatorNodeOptions, 'V8 flags set at start': operatorV8Flags };
    const quiet = { 'idle window': `${options.idleSeconds} s`, reports: 'none', ...started };
    const withBeats = {
      'idle window': `${options.idleSeconds} s`,
      reports: `${options.nodes} monitors' heartbeats, ${heartbeatRate}/s, TokenReview auth`,
      ...started,
    };
    return {
      benchmark: 'operator-scale',
      description: `${options.nodes} kwok Nodes, one FaultPolicy: apply -> all HostHealths present / policy Ready; idle operator usage`,
      settings: { nodes: options.nodes, 'policy applies': options.runs },
      figures: [
        {
          name: 'apply -> all HostHealths',
          unit: 's',
          ...summary(toHostHealths, 'p50'),
          note: 'the goal is on the p99 row',
        },
        {
          name: 'apply -> all HostHealths',
          unit: 's',
          ...summary(toHostHealths, 'p99'),
          goal: { statistic: 'p99', op: '<=', value: 30 },
        },
        {
          name: 'apply -> policy Ready',
          unit: 's',
          ...summary(toReady, 'p50'),
          note: 'the goal is on the p99 row',
        },
        {
          name: 'apply -> policy Ready',
          unit: 's',
          ...summary(toReady, 'p99'),
          goal: { statistic: 'p99', op: '<=', value: 30 },
        },
        {
          name: 'apply -> all monitor Pods available',
          unit: 's',
          ...summary(toMonitors, 'p50'),
          note: "context: the DaemonSet controller's and kwok's time",
        },
        ...usageFigures(idle, quiet),
        ...usageFigures(beating, withBeats),
        {
          // Proves the load reached the operator: heartbeats sent in the window, none refused or lost.
          name: 'heartbeats refused or lost in the window',
          value: heartbeats.accepted > 0 ? Object.values(heartbeats.failed).reduce((a, b) => a + b, 0) : NaN,
          unit: `of ${heartbeats.sent}`,
          statistic: 'count',
          samples: Math.max(1, heartbeats.sent),
          settings: withBeats,
          goal: { statistic: 'count', op: '=', value: 0 },
        },
      ],
      details: {
        nodes: options.nodes,
        runs: options.runs,
        idleSeconds: options.idleSeconds,
        toHostHealths,
        toReady,
        heartbeatSeconds,
        heartbeats,
      },
    };
  } finally {
    await cluster.stop();
  }
}

// Standalone: node dist/bench/operator/scale.js [--nodes 1000] [--runs 3] [--idle-seconds 60]
if (process.argv[1]?.endsWith('/bench/operator/scale.js')) {
  const { values } = parseArgs({
    options: { nodes: { type: 'string' }, runs: { type: 'string' }, 'idle-seconds': { type: 'string' } },
  });
  runScaleBenchmark({
    nodes: Number(values.nodes ?? 1000),
    runs: Number(values.runs ?? 3),
    idleSeconds: Number(values['idle-seconds'] ?? 60),
    log: (s) => console.log(s),
  }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err: unknown) => {
      console.error(`operator scale benchmark failed: ${errorText(err)}`);
      process.exitCode = 1;
    },
  );
}
