// Everything the rack-failure benchmark runs against, as a cluster would run it: a control plane with
// kwok Nodes, the operator as a process (inspector without authentication: the benchmark posts the
// reports), the Nova simulator behind a clouds.yaml Secret, one `doctor consumer` process recording
// arrivals, and one FaultPolicy over the Nodes. stop() undoes all of it, also after a failed start.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crdApi, type FaultPolicy, type HostHealth } from '../../src/api/types.js';
import { startCluster, type Cluster } from '../../tools/cluster/cluster.js';
import { httpGet } from '../../tools/cluster/health.js';
import { repoRoot } from '../../tools/cluster/paths.js';
import { freePort } from '../../tools/cluster/ports.js';
import { startComponent, type ComponentProcess } from '../../tools/cluster/process.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { kubectlApply } from '../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../tools/cluster/kube/install.js';
import { createKwokNode } from '../../tools/cluster/kube/nodes.js';
import { start as startNovaSim, type NovaSim } from '../../tools/nova-sim/index.js';
import { startOperatorProcess, type OperatorProcess } from '../../tools/demo/operator-process.js';

export const policyName = 'rack-bench';

export interface RackTestbed {
  cluster: Cluster;
  kube: KubeClients;
  nova: NovaSim;
  operator: OperatorProcess;
  /** The `doctor consumer` process that records the notifications, and where it takes them. */
  consumerPid: number;
  consumerUrl: string;
  recordFile: string;
  hostHealths(): Promise<HostHealth[]>;
  policy(): Promise<FaultPolicy>;
  stop(): Promise<void>;
}

async function createNodes(kube: KubeClients, names: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      await createKwokNode(kube.core, { name, labels: { 'rack-bench': 'enabled' } });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

function startConsumer(logDir: string, port: number, recordFile: string): ComponentProcess {
  return startComponent(
    'rack-consumer',
    process.execPath,
    [
      join(repoRoot, 'dist/src/cli.js'),
      'consumer',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--record',
      recordFile,
    ],
    join(logDir, 'rack-consumer.log'),
  );
}

function policyYaml(consumerPort: number): string {
  return `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${policyName}}
spec:
  nodeSelector: {matchLabels: {rack-bench: enabled}}
  monitor: {peers: 3}
  detection: {quorum: 2, healthySeconds: 1}
  protection: {maxUnhealthy: "20%"}
  actions:
    nova: {cloudSecretRef: {name: rack-clouds, key: clouds.yaml}}
    notify:
      - {name: vnfm, url: "http://127.0.0.1:${consumerPort}/failure"}
`;
}

export async function startRackTestbed(options: {
  hosts: readonly string[];
  serversPerHost: number;
  log: (line: string) => void;
}): Promise<RackTestbed> {
  const { log } = options;
  const cleanups: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    log(`rack failure: starting a control plane, ${options.hosts.length} kwok nodes and the Nova simulator`);
    const cluster = await startCluster({ log: () => undefined });
    cleanups.push(() => cluster.stop());
    const kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    await createNodes(kube, options.hosts);

    const nova = await startNovaSim({
      hosts: [...options.hosts],
      serversPerHost: options.serversPerHost,
      maxPageSize: 1000,
      latencyMs: 0,
    });
    cleanups.push(() => nova.stop());
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'rack-clouds' }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
    });

    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const recordFile = join(logDir, 'rack-consumer-arrivals.jsonl');
    const consumerPort = await freePort();
    const consumer = startConsumer(logDir, consumerPort, recordFile);
    cleanups.push(() => consumer.stop());
    await waitFor(
      'the consumer to listen',
      async () =>
        (await httpGet(`http://127.0.0.1:${consumerPort}/healthz`)).status === 200 ? true : undefined,
      {
        timeoutMs: 20_000,
        abortIf: () => (consumer.hasExited() ? `it exited; see ${consumer.logPath}` : undefined),
      },
    );

    const operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'rack-bench',
      extraArgs: ['--lease-name', 'rack-bench', '--inspector-auth', 'none'],
    });
    cleanups.push(() => operator.stop());
    await waitFor('the operator to lead', async () => ((await operator.isLeader()) ? true : undefined), {
      timeoutMs: 60_000,
    });
    await kubectlApply(cluster, { yaml: policyYaml(consumerPort) });
    cleanups.push(() =>
      cluster.kubectl(['delete', 'faultpolicy', policyName, '--ignore-not-found', '--wait=false']),
    );

    const hostHealths = async () => {
      const list = (await kube.custom.listClusterCustomObject({
        ...crdApi,
        plural: 'hosthealths',
        labelSelector: `doctor.io/policy=${policyName}`,
      })) as { items: HostHealth[] };
      return list.items;
    };
    await waitFor(
      `${options.hosts.length} HostHealths`,
      async () => ((await hostHealths()).length === options.hosts.length ? true : undefined),
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    return {
      cluster,
      kube,
      nova,
      operator,
      consumerPid: consumer.pid,
      consumerUrl: `http://127.0.0.1:${consumerPort}/failure`,
      recordFile,
      hostHealths,
      policy: async () =>
        (await kube.custom.getClusterCustomObject({
          ...crdApi,
          plural: 'faultpolicies',
          name: policyName,
        })) as FaultPolicy,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
