// The functest scenario shared by the e2e test, `make demo` and the benchmarks: simulated compute hosts
// (network namespaces, 198.18.0.0/15) registered as kwok Nodes, the Nova simulator with servers on
// each host, the sample consumer, the operator as a process, a FaultPolicy applied with kubectl, and one
// monitor per host run exactly as its DaemonSet Pod says. Everything it starts, stop() removes.
import * as k8s from '@kubernetes/client-node';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdApi, type HostHealth } from '../../src/api/types.js';
import type { ArrivalRecord } from '../../src/consumer/recorder.js';
import type { Cluster } from '../cluster/cluster.js';
import { freePort } from '../cluster/ports.js';
import { waitFor } from '../cluster/wait.js';
import { startConsumerProcess } from './consumer-process.js';
import { kubectlApply } from '../cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../cluster/kube/install.js';
import { createKwokNode, deleteNodes, waitForNodesReady } from '../cluster/kube/nodes.js';
import { createTestbed, sweepStaleTestbeds, type Testbed } from '../testbed/testbed.js';
import { start as startNovaSim, type NovaSim } from '../nova-sim/index.js';
import { startOperatorProcess, type OperatorProcess } from './operator-process.js';
import { startPodAsProcess, type PodProcess } from './pod-process.js';

export const timelinePoints = ['T00', 'T01', 'T02', 'T03', 'T04', 'T05', 'T06', 'T07', 'T08'] as const;
export type TimelinePoint = (typeof timelinePoints)[number];

export interface ScenarioOptions {
  cluster: Cluster;
  name: string;
  hosts: number;
  serversPerHost: number;
  /** Extra FaultPolicy spec lines (YAML, indented two spaces), e.g. detection or protection. */
  policySpec?: string;
  novaLatencyMs?: number;
  /** Starts a Nova simulator for the hosts that the caller stops (a benchmark runs it in its own process);
   * by default the scenario starts one in this process (`nova` of the Scenario). */
  startNova?: (hosts: string[]) => Promise<{ cloudsYaml(): string }>;
  consumers?: number;
  log?: (line: string) => void;
  /** Every line the monitors, operator and consumers print, for a person watching (make demo). */
  onComponentLine?: (component: string, line: string) => void;
}

export interface Scenario {
  kube: KubeClients;
  testbed: Testbed;
  nova: NovaSim;
  operator: OperatorProcess;
  hostNames: string[];
  monitors: PodProcess[];
  hostHealth(name: string): Promise<HostHealth>;
  arrivals(): ArrivalRecord[];
  /** Records T00 on the host's HostHealth, then `ip link set eth0 down` inside it. */
  injectLinkDown(host: string): Promise<string>;
  /** Epoch ms just before the last injectLinkDown of `host` ran its `ip link` command (after T00 was
   * recorded, which is one API round trip earlier): when the fault was really injected. */
  linkPulledAt(host: string): number | undefined;
  linkUp(host: string): Promise<void>;
  /** Waits for T08 of the fault injected at `injectedAt` (the value injectLinkDown returned). */
  waitRemediated(host: string, injectedAt: string, timeoutMs?: number): Promise<HostHealth>;
  stop(): Promise<void>;
}

export function startScenario(options: ScenarioOptions & { startNova?: undefined }): Promise<Scenario>;
export function startScenario(
  options: ScenarioOptions & { startNova: ScenarioOptions['startNova'] },
): Promise<Omit<Scenario, 'nova'>>;
export async function startScenario(
  options: ScenarioOptions,
): Promise<Omit<Scenario, 'nova'> & { nova?: NovaSim }> {
  const log = options.log ?? (() => undefined);
  const { cluster, name } = options;
  const kube = kubeClients(cluster.kubeconfigPath);
  const stops: (() => Promise<unknown>)[] = [];
  const linkPulledAt = new Map<string, number>();
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    stops.length = 0;
  };
  try {
    await sweepStaleTestbeds();
    await installOperatorPrerequisites(cluster, kube);
    log(`creating ${options.hosts} simulated compute hosts (network namespaces on a bridge, 198.18.0.0/15)`);
    const testbed = await createTestbed({ hosts: options.hosts, hostPrefix: `${name}-compute-` });
    stops.push(() => testbed.destroy());
    const hostNames = testbed.hosts.map((h) => h.name);
    stops.push(() => deleteNodes(kube.core, hostNames));
    for (const host of testbed.hosts) {
      await createKwokNode(kube.core, {
        name: host.name,
        labels: { [`${name}-compute`]: 'enabled' },
        internalIP: host.address,
      });
    }
    await waitForNodesReady(kube.core, hostNames);

    let nova: NovaSim | undefined;
    let external: { cloudsYaml(): string } | undefined;
    if (options.startNova !== undefined) external = await options.startNova(hostNames);
    else {
      log(`starting the Nova simulator with ${options.serversPerHost} servers on each host`);
      const started = await startNovaSim({
        hosts: hostNames,
        serversPerHost: options.serversPerHost,
        maxPageSize: 100,
        latencyMs: options.novaLatencyMs ?? 0,
      });
      stops.push(() => started.stop());
      nova = started;
    }
    const cloudsYaml = (external ?? nova!).cloudsYaml();
    const secretName = `${name}-clouds`;
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: secretName }, stringData: { 'clouds.yaml': cloudsYaml } },
    });
    stops.push(() => kube.core.deleteNamespacedSecret({ name: secretName, namespace: operatorNamespace }));

    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const recordFile = join(logDir, `${name}-consumer-arrivals.jsonl`);
    const consumerCount = options.consumers ?? 1;
    const consumerPorts: number[] = [];
    for (let i = 0; i < consumerCount; i++) {
      const port = await freePort();
      consumerPorts.push(port);
      const consumer = startConsumerProcess({
        name: `${name}-consumer-${i}`,
        port,
        recordFile,
        logPath: join(logDir, `${name}-consumer-${i}.log`),
      });
      stops.push(() => consumer.stop());
    }

    log('starting the operator (reconciler, inspector, remediation)');
    const inspectorPort = await freePort();
    const operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: name,
      extraArgs: [
        '--lease-name',
        name,
        '--inspector-url',
        `http://${testbed.receiverAddress}:${inspectorPort}/events`,
        '--inspector-bind-address',
        `${testbed.receiverAddress}:${inspectorPort}`,
      ],
    });
    stops.push(() => operator.stop());
    const policyName = `${name}-policy`;
    log(`kubectl apply FaultPolicy ${policyName}`);
    const notify = consumerPorts
      .map((port, i) => `      - {name: consumer-${i}, url: "http://127.0.0.1:${port}/failure"}`)
      .join('\n');
    await kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${policyName}}
spec:
  nodeSelector: {matchLabels: {${name}-compute: enabled}}
${options.policySpec ?? ''}
  actions:
    nova: {cloudSecretRef: {name: ${secretName}}}
    notify:
${notify}
`,
    });
    stops.push(() =>
      cluster.kubectl(['delete', 'faultpolicy', policyName, '--ignore-not-found', '--wait=false']),
    );

    const pods = await waitFor(
      'a Running monitor Pod on every host',
      async () => {
        const list = await kube.core.listNamespacedPod({
          namespace: operatorNamespace,
          labelSelector: `doctor.io/policy=${policyName}`,
        });
        const running = list.items.filter((p) => p.status?.phase === 'Running');
        return running.length === options.hosts ? running : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    log(`starting ${pods.length} monitors as their DaemonSet Pods specify, each in its host's namespace`);
    const monitors: PodProcess[] = [];
    stops.push(() => Promise.all(monitors.map((m) => m.stop())));
    for (const pod of pods) {
      const host = pod.spec!.nodeName!;
      monitors.push(
        await startPodAsProcess({
          core: kube.core,
          testbed,
          pod,
          host,
          rootDir: join(cluster.runDir, 'pods', pod.metadata!.name!),
          onLine: (line) => options.onComponentLine?.(`monitor@${host}`, line),
        }),
      );
    }

    const hostHealth = async (host: string) =>
      (await kube.custom.getClusterCustomObject({
        ...crdApi,
        plural: 'hosthealths',
        name: host,
      })) as HostHealth;
    await waitFor(
      "every host Healthy from its observers' heartbeats",
      async () => {
        const states = await Promise.all(hostNames.map(async (n) => (await hostHealth(n)).status?.state));
        return states.every((s) => s === 'Healthy') ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    log('every host is Healthy');

    return {
      kube,
      testbed,
      ...(nova !== undefined ? { nova } : {}),
      operator,
      hostNames,
      monitors,
      hostHealth,
      arrivals: () =>
        existsSync(recordFile)
          ? readFileSync(recordFile, 'utf8')
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as ArrivalRecord)
          : [],
      async injectLinkDown(host) {
        const injectedAt = new Date().toISOString();
        await kube.custom.patchClusterCustomObject(
          {
            ...crdApi,
            plural: 'hosthealths',
            name: host,
            body: { metadata: { annotations: { 'doctor.io/fault-injected-at': injectedAt } } },
          },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
        linkPulledAt.set(host, Date.now());
        await testbed.setNic(host, 'down');
        return injectedAt;
      },
      linkPulledAt: (host) => linkPulledAt.get(host),
      linkUp: (host) => testbed.setNic(host, 'up'),
      waitRemediated: (host, injectedAt, timeoutMs = 30_000) =>
        waitFor(
          `${host}'s remediation to complete (T08)`,
          async () => {
            const hh = await hostHealth(host);
            const timeline = hh.status?.timeline;
            // A host that failed before keeps its last timeline until the new fault replaces it.
            return timeline?.T00 === injectedAt && timeline.T08 ? hh : undefined;
          },
          { timeoutMs, intervalMs: 50 },
        ),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Milliseconds of each timeline point after T00. */
export function timelineOffsets(hostHealth: HostHealth): Record<TimelinePoint, number | undefined> {
  const timeline = hostHealth.status?.timeline ?? {};
  const t0 = Date.parse(timeline.T00 ?? '');
  return Object.fromEntries(
    timelinePoints.map((p) => [p, timeline[p] ? Date.parse(timeline[p]) - t0 : undefined]),
  ) as Record<TimelinePoint, number | undefined>;
}
