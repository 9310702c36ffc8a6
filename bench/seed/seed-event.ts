// Doctor's own path: the seed event of Doctor's sample monitor (its JSON format, no observer field)
// POSTed to the operator's /events -> nova-compute forced down and every one of 50 servers reset to
// error. The operator runs as a process against a real API server; the policy takes a single reporter
// (the inspector runs without authentication, as Doctor's does). Timed inside the processes that act:
// from the inspector's receive time (HostHealth T02) to the Nova simulator's record of the calls. The
// simulator runs in its own process, so nothing the harness does can delay its stamps. The operator is
// started several times; before its first fault it idles longer than the simulator keeps an idle
// connection open (Node's 5 s), as a real fault usually comes long after the last Nova call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdApi, type HostHealth } from '../../src/api/types.js';
import { startCluster, type Cluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { kubectlApply } from '../../tools/cluster/kube/apply.js';
import { kubeClients, type KubeClients } from '../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../tools/cluster/kube/install.js';
import { createKwokNodes } from '../../tools/cluster/kube/nodes.js';
import { startNovaSimProcess, type NovaSimProcess } from '../../tools/nova-sim/process.js';
import { startOperatorProcess } from '../../tools/demo/operator-process.js';
import type { BenchResult } from '../lib/report.js';
import { spanFigures } from '../e2e/fault-times.js';
import { doctorEvent, oneFault, warmHarnessClient, type FaultSample } from './seed-fault.js';

const hosts = ['seed-0', 'seed-1', 'seed-2', 'seed-3'];
const serversPerHost = 50;
const policy = 'seed-bench';
const goalAllResetMs = 80;
const goalFirstCallMs = 10;
/** Doctor's harder case: a small cloud paging its server lists 2 per page, and a reset answered 503. */
const paging = { policy: 'seed-paging', hosts: ['paging-0', 'paging-1'], serversPerHost: 20, pageSize: 2 };
/** Longer than the simulator (a Node server: 5 s announced, closed after about 6 s) keeps an idle
 * connection: without the operator's connection keeping, its first fault would connect anew. */
const idleBeforeFirstFaultMs = 7_000;

/**
 * With DOCTOR_OPERATOR_CPU_PROF_DIR set, each fault's window (harness POST -> first Nova write, monotonic
 * us) goes next to the operators' profiles: `node dist/bench/lib/profile-window.js <profile> <start> <us>`.
 */
function writeProfileWindows(samples: FaultSample[], log: (line: string) => void): void {
  const dir = process.env.DOCTOR_OPERATOR_CPU_PROF_DIR;
  if (dir === undefined || dir === '') return;
  const path = join(dir, 'seed-event-faults.json');
  const windows = samples.map((s, i) => ({
    fault: i + 1,
    startUs: s.postedAtMonotonicUs,
    durationUs: Math.ceil(s.postToFirstCall * 1000),
  }));
  writeFileSync(path, `${JSON.stringify(windows, null, 1)}\n`);
  log(`fault windows for the CPU profiles: ${path}`);
}

/** A policy over its own kwok Nodes and its own simulator process (in its own clouds.yaml Secret). */
async function policyBed(
  context: { cluster: Cluster; kube: KubeClients },
  bed: { policy: string; hosts: string[]; serversPerHost: number; subnet: string; maxPageSize?: number },
): Promise<NovaSimProcess> {
  const { cluster, kube } = context;
  await createKwokNodes(kube.core, bed.hosts, { labels: { [bed.policy]: 'on' }, subnet: bed.subnet });
  const nova = await startNovaSimProcess({
    hosts: bed.hosts,
    serversPerHost: bed.serversPerHost,
    latencyMs: 0,
    ...(bed.maxPageSize !== undefined ? { maxPageSize: bed.maxPageSize } : {}),
  });
  await kube.core.createNamespacedSecret({
    namespace: operatorNamespace,
    body: { metadata: { name: `${bed.policy}-clouds` }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
  });
  await kubectlApply(cluster, {
    yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${bed.policy}}
spec:
  nodeSelector: {matchLabels: {${bed.policy}: "on"}}
  detection: {healthySeconds: 1}
  protection: {maxUnhealthy: 1}
  actions:
    nova: {cloudSecretRef: {name: ${bed.policy}-clouds}}
`,
  });
  return nova;
}

/** Whether the operator's warm-up listed the servers of every host (all pages). */
async function warmedUp(nova: NovaSimProcess, hosts: string[]): Promise<boolean> {
  const lists = await nova.novaCalls('GET', /\/servers\/detail$/);
  return hosts.every((h) => lists.some((c) => c.query.includes(`host=${h}`)));
}

export async function runSeedEventBenchmark(options: {
  /** Operator processes started one after the other. */
  starts: number;
  faultsPerStart: number;
  /** Faults of the paging case, run by the last operator start. */
  pagingFaults: number;
  log: (line: string) => void;
}): Promise<BenchResult> {
  const { log } = options;
  const cluster = await startCluster({ log: () => undefined });
  const stops: (() => Promise<unknown>)[] = [() => cluster.stop()];
  try {
    const kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    const nova = await policyBed({ cluster, kube }, { policy, hosts, serversPerHost, subnet: '198.18.12' });
    stops.push(() => nova.stop());
    const pagingNova = await policyBed(
      { cluster, kube },
      { ...paging, maxPageSize: paging.pageSize, subnet: '198.18.13' },
    );
    stops.push(() => pagingNova.stop());
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const hostHealth = async (name: string) =>
      (await kube.custom.getClusterCustomObject({
        ...crdApi,
        plural: 'hosthealths',
        name,
      })) as HostHealth;
    await warmHarnessClient(doctorEvent('not-a-host', 'down', 0));
    const samples: FaultSample[] = [];
    const firstAfterStart: FaultSample[] = [];
    const pagingSamples: FaultSample[] = [];
    let n = 0;
    for (let start = 0; start < options.starts; start++) {
      await nova.clearCalls();
      await pagingNova.clearCalls();
      const operator = await startOperatorProcess({
        kubeconfig: cluster.kubeconfigPath,
        logDir,
        identity: `seed-bench-${start}`,
        extraArgs: ['--lease-name', 'seed-bench', '--inspector-auth', 'none'],
      });
      try {
        await waitFor('the operator to lead', async () => ((await operator.isLeader()) ? true : undefined), {
          timeoutMs: 60_000,
        });
        await waitFor(
          'the HostHealths and the Nova warm-up of every host',
          async () => {
            const listed = (await warmedUp(nova, hosts)) && (await warmedUp(pagingNova, paging.hosts));
            const all = [...hosts, ...paging.hosts];
            const states = await Promise.all(all.map((h) => hostHealth(h).catch(() => undefined)));
            return listed && states.every((s) => s?.status?.novaHost) ? true : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 250 },
        );
        log(
          `seed event: operator start ${start + 1}/${options.starts} leading, ${hosts.length} hosts x ` +
            `${serversPerHost} servers, Nova 0 ms; idle ${idleBeforeFirstFaultMs / 1000} s`,
        );
        await new Promise((r) => setTimeout(r, idleBeforeFirstFaultMs));
        const context = { nova, eventsUrl: operator.eventsUrl, hostHealth };
        for (let i = 0; i < options.faultsPerStart; i++) {
          const victim = hosts[n % hosts.length]!;
          const sample = await oneFault(context, victim, ++n);
          samples.push(sample);
          if (i === 0) firstAfterStart.push(sample);
          log(
            `  start ${start + 1}, fault ${i + 1}/${options.faultsPerStart} on ${victim}: first Nova write ` +
              `${sample.firstCall.toFixed(1)} ms (${sample.postToFirstCall.toFixed(1)} ms after the POST), forced ` +
              `down + ${serversPerHost} reset ${sample.allReset.toFixed(1)} ms after the report arrived`,
          );
        }
        if (start === options.starts - 1) {
          const pagingContext = { ...context, nova: pagingNova };
          for (let i = 0; i < options.pagingFaults; i++) {
            const victim = paging.hosts[i % paging.hosts.length]!;
            // Nova answers the first reset of this fault with a 503; the operator must retry it.
            await pagingNova.failFirstCalls(1, /\/servers\/[^/]+\/action$/);
            const sample = await oneFault(pagingContext, victim, ++n);
            pagingSamples.push(sample);
            log(
              `  paging ${paging.pageSize}/page + one 503, fault ${i + 1}/${options.pagingFaults} on ${victim}: ` +
                `forced down + ${paging.serversPerHost} reset ${sample.allReset.toFixed(1)} ms after the report arrived`,
            );
          }
        }
      } finally {
        await operator.stop();
      }
    }
    writeProfileWindows(samples, log);
    const of = (list: FaultSample[], key: keyof FaultSample) => list.map((s) => s[key]);
    const later = samples.filter((s) => !firstAfterStart.includes(s));
    const pagingName = `${paging.serversPerHost} servers, Nova paging ${paging.pageSize}/page, one 503 on the first reset`;
    return {
      benchmark: 'seed-event',
      description:
        `Doctor's seed event POSTed to /events (no observer field, auth none) -> nova-compute forced down and ` +
        `all ${serversPerHost} servers reset, Nova simulator at 0 ms in its own process; from the inspector's ` +
        `receive time (T02, ms: up to 1 ms early) to the simulator's own call times; ${options.starts} operator ` +
        `start(s) of ${options.faultsPerStart} faults, idle ${idleBeforeFirstFaultMs / 1000} s before the first and ` +
        `0.5 s after each recovery; ` +
        `then ${options.pagingFaults} faults of Doctor's harder case (${pagingName}); ` +
        `real operator process (launched as the image does) and API server`,
      figures: [
        ...spanFigures('report arrived -> first Nova write', of(samples, 'firstCall'), goalFirstCallMs),
        ...spanFigures(
          `report arrived -> forced down + all ${serversPerHost} reset`,
          of(samples, 'allReset'),
          goalAllResetMs,
        ),
        ...spanFigures(
          `${pagingName}: report arrived -> forced down + all ${paging.serversPerHost} reset`,
          of(pagingSamples, 'allReset'),
          goalAllResetMs,
        ),
        // The first fault after a start is where cold code and cold connections show.
        ...spanFigures(
          'report arrived -> first Nova write, first fault after start',
          of(firstAfterStart, 'firstCall'),
        ),
        ...spanFigures('report arrived -> first Nova write, later faults', of(later, 'firstCall')),
        ...spanFigures('harness POST -> first Nova write (sub-ms stamps)', of(samples, 'postToFirstCall')),
        ...spanFigures('report arrived -> forced down', of(samples, 'forced')),
        ...spanFigures('harness POST -> inspector receive (context)', of(samples, 'postToReceive')),
      ],
      details: {
        hosts,
        serversPerHost,
        starts: options.starts,
        faultsPerStart: options.faultsPerStart,
        idleBeforeFirstFaultMs,
        samples,
        paging: { ...paging, samples: pagingSamples },
      },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
