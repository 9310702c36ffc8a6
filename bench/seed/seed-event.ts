// Doctor's own path: the seed event of Doctor's sample monitor (its JSON format, no observer field)
// POSTed to the operator's /events -> nova-compute forced down and every one of 50 servers reset to
// error. The operator runs as a process against a real API server; the policy takes a single reporter
// (the inspector runs without authentication, as Doctor's does). Timed inside the processes that act:
// from the inspector's receive time (HostHealth T02) to the Nova simulator's record of the calls. The
// simulator runs in its own process, so nothing the harness does can delay its stamps. The operator is
// started several times; before its first fault it idles longer than the simulator keeps an idle
// connection open (Node's 5 s), as a real fault usually comes long after the last Nova call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { crdApi, type HostHealth } from '../../src/api/types.js';
import { startCluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { kubectlApply } from '../../tools/cluster/kube/apply.js';
import { kubeClients } from '../../tools/cluster/kube/client.js';
import { installOperatorPrerequisites, operatorNamespace } from '../../tools/cluster/kube/install.js';
import { createKwokNode } from '../../tools/cluster/kube/nodes.js';
import { startNovaSimProcess, type NovaSimProcess } from '../../tools/nova-sim/process.js';
import { startOperatorProcess } from '../../tools/demo/operator-process.js';
import type { BenchResult } from '../lib/report.js';
import { faultTimesOf, spanFigures } from '../e2e/fault-times.js';

const hosts = ['seed-0', 'seed-1', 'seed-2', 'seed-3'];
const serversPerHost = 50;
const policy = 'seed-bench';
const goalAllResetMs = 80;
const goalFirstCallMs = 10;
/** Longer than the simulator (a Node server: 5 s announced, closed after about 6 s) keeps an idle
 * connection: without the operator's connection keeping, its first fault would connect anew. */
const idleBeforeFirstFaultMs = 7_000;

/** Doctor's sample monitor body: one event, no observer field. */
function doctorEvent(host: string, status: 'down' | 'up', n: number): string {
  return JSON.stringify([
    {
      id: `monitor_sample_id${n}`,
      time: new Date().toISOString(),
      type: status === 'down' ? 'compute.host.down' : 'compute.host.up',
      details: {
        hostname: host,
        status,
        monitor: 'monitor_sample',
        monitor_event_id: `monitor_sample_event${n}`,
      },
    },
  ]);
}

/**
 * The harness's first fetch() loads and compiles Node's HTTP client while the operator is already
 * handling the first fault, competing with it for the CPU. A few POSTs to a throwaway local server first
 * keep that cost away from the operator's figure.
 */
async function warmHarnessClient(body: string): Promise<void> {
  const sink = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = sink.address() as AddressInfo;
    for (let i = 0; i < 5; i++) await post(`http://127.0.0.1:${port}/`, body);
  } finally {
    sink.closeAllConnections();
    sink.close();
  }
}

async function post(url: string, body: string): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`POST /events answered ${res.status}`);
}

interface FaultSample {
  firstCall: number;
  forced: number;
  allReset: number;
  postToReceive: number;
  /** Harness POST (sub-ms) -> first Nova write: an upper bound of the span without T02's ms rounding. */
  postToFirstCall: number;
  /** The POST on the monotonic clock (us), as CPU profiles stamp their samples (bench/lib/profile-window.ts). */
  postedAtMonotonicUs: number;
}

const epochNow = () => performance.timeOrigin + performance.now();

async function oneFault(
  context: {
    nova: NovaSimProcess;
    eventsUrl: string;
    hostHealth: (name: string) => Promise<HostHealth>;
  },
  victim: string,
  n: number,
): Promise<FaultSample> {
  const { nova, hostHealth } = context;
  await nova.clearCalls();
  // Asked before the fault, so that no question reaches the simulator while it stamps the fault's calls.
  const remediated = nova.awaitRemediation(victim, 30_000);
  const postedAt = Date.now();
  const postedAtPrecise = epochNow();
  const postedAtMonotonicUs = Number(process.hrtime.bigint() / 1000n);
  await post(context.eventsUrl, doctorEvent(victim, 'down', n));
  const times = faultTimesOf(await remediated);
  // The inspector's receive time of this report, from the timeline it writes.
  const received = await waitFor(
    `fault ${n}: the timeline of ${victim}`,
    async () => {
      const t02 = Date.parse((await hostHealth(victim)).status?.timeline?.T02 ?? '');
      return t02 >= postedAt - 1 ? t02 : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
  await post(context.eventsUrl, doctorEvent(victim, 'up', n));
  await waitFor(
    `${victim} to recover`,
    async () =>
      (await hostHealth(victim)).status?.state === 'Healthy' &&
      (await nova.hostFacts(victim)).forcedDown === false
        ? true
        : undefined,
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  await nova.restoreServers(victim);
  return {
    firstCall: times.firstWriteAt - received,
    forced: times.forcedDownAt - received,
    allReset: Math.max(times.forcedDownAt, times.lastResetAt) - received,
    postToReceive: received - postedAt,
    postToFirstCall: times.firstWriteAt - postedAtPrecise,
    postedAtMonotonicUs,
  };
}

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

export async function runSeedEventBenchmark(options: {
  /** Operator processes started one after the other. */
  starts: number;
  faultsPerStart: number;
  log: (line: string) => void;
}): Promise<BenchResult> {
  const { log } = options;
  const cluster = await startCluster({ log: () => undefined });
  const stops: (() => Promise<unknown>)[] = [() => cluster.stop()];
  try {
    const kube = kubeClients(cluster.kubeconfigPath);
    await installOperatorPrerequisites(cluster, kube);
    for (const [i, name] of hosts.entries())
      await createKwokNode(kube.core, { name, labels: { [policy]: 'on' }, internalIP: `198.18.12.${i + 1}` });
    const nova = await startNovaSimProcess({ hosts, serversPerHost, latencyMs: 0 });
    stops.push(() => nova.stop());
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'seed-clouds' }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
    });
    await kubectlApply(cluster, {
      yaml: `apiVersion: doctor.io/v1alpha1
kind: FaultPolicy
metadata: {name: ${policy}}
spec:
  nodeSelector: {matchLabels: {${policy}: "on"}}
  detection: {healthySeconds: 1}
  protection: {maxUnhealthy: 1}
  actions:
    nova: {cloudSecretRef: {name: seed-clouds}}
`,
    });
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
    let n = 0;
    for (let start = 0; start < options.starts; start++) {
      await nova.clearCalls();
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
            const lists = await nova.novaCalls('GET', /\/servers\/detail$/);
            const listed = hosts.every((h) => lists.some((c) => c.query.includes(`host=${h}`)));
            const states = await Promise.all(hosts.map((h) => hostHealth(h).catch(() => undefined)));
            return listed && states.every((s) => s?.status?.novaHost) ? true : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 250 },
        );
        log(
          `seed event: operator start ${start + 1}/${options.starts} leading, ${hosts.length} hosts x ` +
            `${serversPerHost} servers, Nova 0 ms; idle ${idleBeforeFirstFaultMs / 1000} s`,
        );
        await new Promise((r) => setTimeout(r, idleBeforeFirstFaultMs));
        for (let i = 0; i < options.faultsPerStart; i++) {
          const victim = hosts[n % hosts.length]!;
          const sample = await oneFault({ nova, eventsUrl: operator.eventsUrl, hostHealth }, victim, ++n);
          samples.push(sample);
          if (i === 0) firstAfterStart.push(sample);
          log(
            `  start ${start + 1}, fault ${i + 1}/${options.faultsPerStart} on ${victim}: first Nova write ` +
              `${sample.firstCall.toFixed(1)} ms (${sample.postToFirstCall.toFixed(1)} ms after the POST), forced ` +
              `down + ${serversPerHost} reset ${sample.allReset.toFixed(1)} ms after the report arrived`,
          );
        }
      } finally {
        await operator.stop();
      }
    }
    writeProfileWindows(samples, log);
    const of = (list: FaultSample[], key: keyof FaultSample) => list.map((s) => s[key]);
    const later = samples.filter((s) => !firstAfterStart.includes(s));
    return {
      benchmark: 'seed-event',
      description:
        `Doctor's seed event POSTed to /events (no observer field, auth none) -> nova-compute forced down and ` +
        `all ${serversPerHost} servers reset, Nova simulator at 0 ms in its own process; from the inspector's ` +
        `receive time (T02, ms: up to 1 ms early) to the simulator's own call times; ${options.starts} operator ` +
        `start(s) of ${options.faultsPerStart} faults, idle ${idleBeforeFirstFaultMs / 1000} s before the first; ` +
        `real operator process (launched as the image does) and API server`,
      figures: [
        ...spanFigures('report arrived -> first Nova write', of(samples, 'firstCall'), goalFirstCallMs),
        ...spanFigures(
          `report arrived -> forced down + all ${serversPerHost} reset`,
          of(samples, 'allReset'),
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
      },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
