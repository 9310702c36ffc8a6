// Doctor's own path: the seed event of Doctor's sample monitor (its JSON format, no observer field)
// POSTed to the operator's /events -> nova-compute forced down and every one of 50 servers reset to
// error. The operator runs as a process against a real API server; the policy takes a single reporter
// (the inspector runs without authentication, as Doctor's does). Timed inside the processes that act:
// from the inspector's receive time (HostHealth T02) to the Nova simulator's record of the calls.
import { mkdirSync } from 'node:fs';
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
import { start as startNovaSim, type NovaSim } from '../../tools/nova-sim/index.js';
import { startOperatorProcess } from '../../tools/demo/operator-process.js';
import type { BenchResult } from '../lib/report.js';
import { novaFaultTimes, spanFigures } from '../e2e/fault-times.js';

const hosts = ['seed-0', 'seed-1', 'seed-2', 'seed-3'];
const serversPerHost = 50;
const policy = 'seed-bench';
const goalAllResetMs = 80;
const goalFirstCallMs = 10;

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
 * calling the Nova simulator, which runs in this same process: the simulator then notes the first fault's
 * calls late. A few POSTs to a throwaway local server first keep that cost out of the operator's figure.
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

function restoreServers(nova: NovaSim, host: string): void {
  for (const server of nova.state.serversOnHost(host)) {
    server.vmState = 'active';
    server.status = 'ACTIVE';
  }
}

export async function runSeedEventBenchmark(options: {
  faults: number;
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
    const nova = await startNovaSim({ hosts, serversPerHost, latencyMs: 0 });
    stops.push(() => nova.stop());
    await kube.core.createNamespacedSecret({
      namespace: operatorNamespace,
      body: { metadata: { name: 'seed-clouds' }, stringData: { 'clouds.yaml': nova.cloudsYaml() } },
    });
    const logDir = join(cluster.runDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const operator = await startOperatorProcess({
      kubeconfig: cluster.kubeconfigPath,
      logDir,
      identity: 'seed-bench',
      extraArgs: ['--lease-name', 'seed-bench', '--inspector-auth', 'none'],
    });
    stops.push(() => operator.stop());
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
    const hostHealth = async (name: string) =>
      (await kube.custom.getClusterCustomObject({
        ...crdApi,
        plural: 'hosthealths',
        name,
      })) as HostHealth;
    await waitFor('the operator to lead', async () => ((await operator.isReady()) ? true : undefined), {
      timeoutMs: 60_000,
    });
    await waitFor(
      'the HostHealths and the Nova warm-up of every host',
      async () => {
        const listed = hosts.every((h) =>
          nova.novaCalls('GET', /\/servers\/detail$/).some((c) => c.query.includes(`host=${h}`)),
        );
        const states = await Promise.all(hosts.map((h) => hostHealth(h).catch(() => undefined)));
        return listed && states.every((s) => s?.status?.novaHost) ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    log(`seed event: operator leading, ${hosts.length} hosts x ${serversPerHost} servers, Nova 0 ms`);

    await warmHarnessClient(doctorEvent('not-a-host', 'down', 0));
    const firstCall: number[] = [];
    const allReset: number[] = [];
    const forced: number[] = [];
    const postToReceive: number[] = [];
    for (let i = 0; i < options.faults; i++) {
      const victim = hosts[i % hosts.length]!;
      nova.clearCalls();
      const postedAt = Date.now();
      await post(operator.eventsUrl, doctorEvent(victim, 'down', i + 1));
      const times = await waitFor(
        `fault ${i + 1}: ${victim} forced down and all servers reset`,
        () => Promise.resolve(novaFaultTimes(nova, victim)),
        { timeoutMs: 30_000, intervalMs: 5 },
      );
      // The inspector's receive time of this report, from the timeline it writes.
      const received = await waitFor(
        `fault ${i + 1}: the timeline of ${victim}`,
        async () => {
          const t = (await hostHealth(victim)).status?.timeline;
          const t02 = Date.parse(t?.T02 ?? '');
          return t02 >= postedAt - 1 ? t02 : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      firstCall.push(times.firstWriteAt - received);
      forced.push(times.forcedDownAt - received);
      allReset.push(Math.max(times.forcedDownAt, times.lastResetAt) - received);
      postToReceive.push(received - postedAt);
      log(
        `  fault ${i + 1}/${options.faults} on ${victim}: first Nova write ${(times.firstWriteAt - received).toFixed(1)} ms, ` +
          `forced down + ${times.resets} reset ${(Math.max(times.forcedDownAt, times.lastResetAt) - received).toFixed(1)} ms after the report arrived`,
      );
      await post(operator.eventsUrl, doctorEvent(victim, 'up', i + 1));
      await waitFor(
        `${victim} to recover`,
        async () =>
          (await hostHealth(victim)).status?.state === 'Healthy' &&
          nova.state.computeService(victim)?.forcedDown === false
            ? true
            : undefined,
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      restoreServers(nova, victim);
    }
    return {
      benchmark: 'seed-event',
      description:
        `Doctor's seed event POSTed to /events (no observer field, auth none) -> nova-compute forced down and ` +
        `all ${serversPerHost} servers reset, Nova simulator at 0 ms; from the inspector's receive time (T02) to ` +
        `the simulator's own call times; real operator process (launched as the image does: no V8 flags) and API server`,
      figures: [
        ...spanFigures('report arrived -> first Nova write', firstCall, goalFirstCallMs),
        ...spanFigures(
          `report arrived -> forced down + all ${serversPerHost} reset`,
          allReset,
          goalAllResetMs,
        ),
        // The first fault after a start is where cold code shows; the operator has only rehearsed it.
        {
          name: 'report arrived -> first Nova write, first fault after start',
          unit: 'ms',
          value: Math.round((firstCall[0] ?? Number.NaN) * 10) / 10,
          statistic: 'single',
          samples: 1,
          note: 'context',
        },
        ...spanFigures('report arrived -> first Nova write, later faults', firstCall.slice(1)),
        ...spanFigures('report arrived -> forced down', forced),
        ...spanFigures('harness POST -> inspector receive (context)', postToReceive),
      ],
      details: { hosts, serversPerHost, firstCall, forced, allReset, postToReceive },
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}
