// End to end on the real path: real monitors in network namespaces, the operator as a process against a
// real API server, the Nova simulator with 50 servers per host and the sample consumer. A link is pulled
// on one host after another, at 0 ms and at 20 ms per Nova call: link down -> all servers reset and all
// consumers notified, with the segments in between. Each time comes from the process that saw it: the
// fault from the harness, just before it runs `ip link set down` (the T00 annotation is written one API
// round trip before that, which is no part of the fault), T01/T03 the inspector's timeline, Nova calls
// from the simulator's log, notifications from the consumer's record. The simulator runs in its own
// process: the harness's polling during a fault cannot delay its stamps.
import { startCluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import { startScenario, type Scenario } from '../../tools/demo/scenario.js';
import { startNovaSimProcess, type NovaSimProcess } from '../../tools/nova-sim/process.js';
import type { BenchResult, Figure } from '../lib/report.js';
import { faultTimesOf, spanFigures } from './fault-times.js';

const serversPerHost = 50;
/** Doctor's sample on the same kind of fault: ~190 ms detection, ~105 ms POST -> all 50 reset. */
const doctorFaultToResetMs = 295;

interface FaultSample {
  detection: number;
  decision: number;
  firstNovaCall: number;
  lastReset: number;
  lastNotification: number;
  allDone: number;
}

type Bench = { scenario: Omit<Scenario, 'nova'>; nova: NovaSimProcess };

async function oneFault({ scenario, nova: sim }: Bench, victim: string, n: number): Promise<FaultSample> {
  await sim.clearCalls();
  // Asked before the fault: no question reaches the simulator while it stamps the fault's calls.
  const remediated = sim.awaitRemediation(victim, 90_000);
  remediated.catch(() => undefined);
  const injectedIso = await scenario.injectLinkDown(victim);
  const t0 = scenario.linkPulledAt(victim) ?? Date.parse(injectedIso);
  const down = await scenario.waitRemediated(victim, injectedIso, 60_000);
  const timeline = down.status!.timeline!;
  const nova = faultTimesOf(await remediated);
  const lastNotification = await waitFor(
    `fault ${n}: a notification per server of ${victim}`,
    () => {
      const got = scenario
        .arrivals()
        .filter((a) => a.host === victim && a.receivedAtMs >= t0 && !a.duplicate);
      return Promise.resolve(
        new Set(got.map((a) => a.server)).size >= serversPerHost
          ? Math.max(...got.map((a) => a.receivedAtMs))
          : undefined,
      );
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );
  const lastReset = nova.lastResetAt - t0;
  return {
    detection: Date.parse(timeline.T01!) - t0,
    decision: Date.parse(timeline.T03!) - t0,
    firstNovaCall: nova.firstWriteAt - t0,
    lastReset,
    lastNotification: lastNotification - t0,
    allDone: Math.max(lastReset, lastNotification - t0, nova.forcedDownAt - t0),
  };
}

async function recover({ scenario, nova }: Bench, victim: string): Promise<void> {
  await scenario.linkUp(victim);
  await waitFor(
    `${victim} to recover`,
    async () => ((await scenario.hostHealth(victim)).status?.state === 'Healthy' ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  await nova.restoreServers(victim);
  // Let the monitors' verdicts settle before the next fault.
  await new Promise((r) => setTimeout(r, 500));
}

function figuresFor(latencyMs: number, samples: FaultSample[]): Figure[] {
  const of = (key: keyof FaultSample) => samples.map((s) => s[key]);
  const at = `Nova ${latencyMs} ms`;
  return [
    ...spanFigures(
      `${at}: link down -> all ${serversPerHost} reset + all notified`,
      of('allDone'),
      latencyMs === 0 ? doctorFaultToResetMs : undefined,
    ),
    ...spanFigures(`${at}: detection (T01)`, of('detection')),
    ...spanFigures(`${at}: decision (T03)`, of('decision')),
    ...spanFigures(`${at}: first Nova call`, of('firstNovaCall')),
    ...spanFigures(`${at}: last reset`, of('lastReset')),
    ...spanFigures(`${at}: last notification`, of('lastNotification')),
  ];
}

export async function runEndToEndBenchmark(options: {
  faults: number;
  latenciesMs?: number[];
  log: (line: string) => void;
}): Promise<BenchResult> {
  const { log } = options;
  const latencies = options.latenciesMs ?? [0, 20];
  const cluster = await startCluster({ log: () => undefined });
  let nova: NovaSimProcess | undefined;
  try {
    const scenario = await startScenario({
      cluster,
      name: 'e2e',
      hosts: 4,
      serversPerHost,
      policySpec: '  detection: {healthySeconds: 1}',
      startNova: async (hosts) => {
        log(`starting the Nova simulator (own process) with ${serversPerHost} servers on each host`);
        nova = await startNovaSimProcess({ hosts, serversPerHost, maxPageSize: 100, latencyMs: 0 });
        return nova;
      },
      log,
    });
    const bench: Bench = { scenario, nova: nova! };
    const results = new Map<number, FaultSample[]>();
    try {
      await waitFor(
        "the operator's Nova warm-up of every host",
        async () => {
          const lists = await bench.nova.novaCalls('GET', /\/servers\/detail$/);
          return scenario.hostNames.every((h) => lists.some((c) => c.query.includes(`host=${h}`)))
            ? true
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      let n = 0;
      for (const latencyMs of latencies) {
        await bench.nova.setLatency(latencyMs);
        const samples: FaultSample[] = [];
        for (let i = 0; i < options.faults; i++) {
          const victim = scenario.hostNames[n++ % scenario.hostNames.length]!;
          const sample = await oneFault(bench, victim, i + 1);
          samples.push(sample);
          log(
            `  Nova ${latencyMs} ms, fault ${i + 1}/${options.faults} on ${victim}: detected ${sample.detection} ms, ` +
              `declared ${sample.decision} ms, first Nova call ${sample.firstNovaCall.toFixed(0)} ms, last reset ` +
              `${sample.lastReset.toFixed(0)} ms, last notification ${sample.lastNotification} ms`,
          );
          await recover(bench, victim);
        }
        results.set(latencyMs, samples);
      }
    } finally {
      await scenario.stop();
    }
    return {
      benchmark: 'e2e-real-path',
      description:
        `link down on one of 4 hosts (real monitors in netns, operator process, real API server), ` +
        `${serversPerHost} servers, Nova simulator at ${latencies.join(' and ')} ms per call: times from link down ` +
        `(just before the harness runs ip link set down)`,
      figures: latencies.flatMap((l) => figuresFor(l, results.get(l) ?? [])),
      details: Object.fromEntries([...results].map(([l, s]) => [`nova${l}ms`, s])),
    };
  } finally {
    await nova?.stop();
    await cluster.stop();
  }
}
