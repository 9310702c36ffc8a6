// The test bed for fault injection: a real control plane, the Nova simulator with a fleet of hosts of
// `serversPerHost` servers each, the sample consumer as a process and two operator replicas (a leader and a
// hot standby) as processes, with one FaultPolicy over every host. Injections (kill a replica, stop the
// API server, make Nova fail, stop the consumer) are done by the caller; the bed reports and counts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { ArrivalRecord } from '../../../src/consumer/recorder.js';
import { waitForHostHealths } from '../../integration/operator/helpers.js';
import type { Cluster } from '../../../tools/cluster/cluster.js';
import { freePort } from '../../../tools/cluster/ports.js';
import type { ComponentProcess } from '../../../tools/cluster/process.js';
import { waitFor } from '../../../tools/cluster/wait.js';
import { readArrivals, startConsumerProcess } from '../../../tools/demo/consumer-process.js';
import { kubectlApply } from '../../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../../tools/cluster/kube/install.js';
import { createKwokNode, deleteNodes } from '../../../tools/cluster/kube/nodes.js';
import { start as startNovaSim, type NovaSim } from '../../../tools/nova-sim/index.js';
import { startOperatorProcess, type OperatorProcess } from '../../../tools/demo/operator-process.js';
import { countDeliveries, type DeliveryCount } from './delivery-count.js';
import { hostReport, postJson } from './host-report.js';

export interface HostOutcome {
  host: string;
  servers: number;
  serversReset: number;
  forcedDown: boolean;
  deliveries: DeliveryCount;
}

export interface FaultBed {
  cluster: Cluster;
  kube: KubeClients;
  nova: NovaSim;
  hosts: string[];
  replicas: OperatorProcess[];
  arrivals(): ArrivalRecord[];
  /** Posts a down report to the leader (or, while there is none, to any replica) until one accepts it. */
  reportDown(host: string): Promise<void>;
  /** The replica holding the Lease, once a live one holds it. */
  leader(timeoutMs?: number): Promise<OperatorProcess>;
  /** Kills a replica with SIGKILL (kill -9): no shutdown code runs. */
  kill(replica: OperatorProcess): Promise<void>;
  /** Starts one more replica, a standby while another leads. */
  addReplica(): Promise<OperatorProcess>;
  stopConsumer(): Promise<void>;
  startConsumer(): void;
  outcome(host: string): HostOutcome;
  /** Waits until the host is forced down, every server is in error and the consumer has every one. */
  waitRemediated(host: string, timeoutMs?: number): Promise<HostOutcome>;
  stop(): Promise<void>;
}

const policyName = 'fault-injection';
const leaseName = 'fault-injection';
// Short leases so a standby takes over from a killed leader within a few seconds.
const operatorArgs = [
  '--lease-name',
  leaseName,
  '--inspector-auth',
  'none',
  '--lease-duration',
  '3',
  '--renew-deadline',
  '2',
  '--retry-period',
  '1',
];

export async function startFaultBed(options: {
  cluster: Cluster;
  hosts: number;
  serversPerHost: number;
  /** Prefix of host names, so beds in one cluster do not collide. */
  prefix: string;
}): Promise<FaultBed> {
  const { cluster } = options;
  const kube = kubeClients(cluster.kubeconfigPath);
  const coordination = kube.config.makeApiClient(k8s.CoordinationV1Api);
  const hosts = Array.from({ length: options.hosts }, (_, i) => `${options.prefix}-${i}`);
  const logDir = join(cluster.runDir, 'logs', options.prefix);
  mkdirSync(logDir, { recursive: true });
  const recordFile = join(logDir, 'consumer-arrivals.jsonl');
  const consumerPort = await freePort();
  const replicas: OperatorProcess[] = [];
  let consumer: ComponentProcess | undefined;
  let consumerStarts = 0;
  let replicaStarts = 0;
  const nova = await startNovaSim({ hosts, serversPerHost: options.serversPerHost, maxPageSize: 20 });

  const startConsumer = () => {
    consumer = startConsumerProcess({
      name: `${options.prefix}-consumer`,
      port: consumerPort,
      recordFile,
      logPath: join(logDir, `consumer-${++consumerStarts}.log`),
    });
  };
  const startReplica = async () =>
    startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: `${options.prefix}-op-${++replicaStarts}`,
      extraArgs: operatorArgs,
    });
  const arrivals = (): ArrivalRecord[] => readArrivals(recordFile);
  const holder = async () =>
    (await coordination.readNamespacedLease({ name: leaseName, namespace: operatorNamespace })).spec
      ?.holderIdentity;
  const leader = (timeoutMs = 30_000) =>
    waitFor(
      'a live replica to hold the lease',
      async () => {
        const identity = await holder();
        return replicas.find((r) => r.identity === identity && !r.process.hasExited());
      },
      { timeoutMs, intervalMs: 100 },
    );
  const outcome = (host: string): HostOutcome => {
    const servers = nova.state.serversOnHost(host);
    return {
      host,
      servers: servers.length,
      serversReset: servers.filter((s) => s.vmState === 'error').length,
      forcedDown: nova.state.computeService(host)?.forcedDown ?? false,
      deliveries: countDeliveries(
        arrivals(),
        host,
        servers.map((s) => s.id),
      ),
    };
  };

  const bed: FaultBed = {
    cluster,
    kube,
    nova,
    hosts,
    replicas,
    arrivals,
    async reportDown(host) {
      const body = hostReport('compute.host.down', host, `down-${host}`);
      await waitFor(
        `a replica to accept the report about ${host}`,
        async () => {
          const identity = await holder().catch(() => undefined);
          const ordered = [...replicas].sort((a) => (a.identity === identity ? -1 : 1));
          for (const replica of ordered) {
            if (replica.process.hasExited()) continue;
            const status = await postJson(replica.eventsUrl, body).catch(() => undefined);
            if (status === 200) return true;
          }
          return undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
    },
    leader,
    async kill(replica) {
      await replica.kill();
      replicas.splice(replicas.indexOf(replica), 1);
    },
    async addReplica() {
      const replica = await startReplica();
      replicas.push(replica);
      return replica;
    },
    stopConsumer: async () => {
      await consumer?.stop();
    },
    startConsumer,
    outcome,
    async waitRemediated(host, timeoutMs = 90_000) {
      try {
        return await waitFor(
          `${host} forced down, every server reset and every consumer notified`,
          () => {
            const o = outcome(host);
            return Promise.resolve(
              o.forcedDown && o.serversReset === o.servers && o.deliveries.lost === 0 ? o : undefined,
            );
          },
          { timeoutMs, intervalMs: 100 },
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}; got ${describeOutcomes([outcome(host)])}`, {
          cause: err,
        });
      }
    },
    async stop() {
      await cluster.kubectl(['delete', 'faultpolicy', policyName, '--ignore-not-found', '--wait=false']);
      for (const replica of replicas) await replica.stop();
      await consumer?.stop();
      await nova.stop();
      await kube.core
        .deleteNamespacedSecret({ name: `${options.prefix}-clouds`, namespace: operatorNamespace })
        .catch(() => undefined);
      await deleteNodes(kube.core, hosts);
    },
  };

  try {
    await installOperatorPrerequisites(cluster, kube);
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: {
        metadata: { name: `${options.prefix}-clouds` },
        stringData: { 'clouds.yaml': nova.cloudsYaml() },
      },
    });
    for (const [i, name] of hosts.entries()) {
      await createKwokNode(kube.core, {
        name,
        labels: { [policyName]: options.prefix },
        internalIP: `198.18.${20 + Math.floor(i / 250)}.${(i % 250) + 1}`,
      });
    }
    startConsumer();
    await bed.addReplica();
    await bed.addReplica();
    await kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${policyName}}
spec:
  nodeSelector: {matchLabels: {${policyName}: ${options.prefix}}}
  detection: {healthySeconds: 2}
  protection: {maxUnhealthy: "100%"}
  actions:
    nova: {cloudSecretRef: {name: ${options.prefix}-clouds}}
    notify:
      - {name: vnfm, url: "http://127.0.0.1:${consumerPort}/failure"}
`,
    });
    await waitForHostHealths(kube, policyName, hosts, 120_000);
    await leader(60_000);
    return bed;
  } catch (err) {
    await bed.stop().catch(() => undefined);
    throw err;
  }
}

/** "servers reset 1000/1000, hosts forced down 20/20, notified 1000/1000, lost 0, duplicates 3 (same id 3)" */
export function describeOutcomes(outcomes: readonly HostOutcome[]): string {
  const sum = (f: (o: HostOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  const servers = sum((o) => o.servers);
  const duplicates = sum((o) => o.deliveries.duplicates);
  const otherId = sum((o) => o.deliveries.duplicatesWithOtherId);
  return [
    `servers reset ${sum((o) => o.serversReset)}/${servers}`,
    `hosts forced down ${outcomes.filter((o) => o.forcedDown).length}/${outcomes.length}`,
    `notified ${sum((o) => o.deliveries.notified)}/${servers}`,
    `notifications lost ${sum((o) => o.deliveries.lost)}`,
    `duplicates ${duplicates} (same id ${duplicates - otherId}, other id ${otherId})`,
  ].join(', ');
}
