// Monitor benchmark (issue 4): detection latency (link down -> report received) p50/p99 over injected
// faults at 100 ms and 20 ms probe intervals, and CPU/RSS of one monitor probing 8 peers at 10 Hz.
// Real monitors, real ICMP, network-namespace test beds (198.18.0.0/15); needs root.
//   node dist/bench/monitor/detection.js            full run: 50 faults per scenario, 60 s of CPU
//   node dist/bench/monitor/detection.js --quick    smoke run: 10 faults per scenario, 10 s of CPU
// Prints a table with each figure beside its goal and writes bench/results/monitor-latest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { HostEvent } from '../../src/api/events.js';
import { observersOf, watchedBy } from '../../src/monitor/peers.js';
import { EventReceiver, epochMs } from '../../test/support/netns/event-receiver.js';
import { MonitorFleet, type FleetSettings } from '../../test/support/netns/monitor-fleet.js';
import { createTestbed, type Testbed } from '../../test/support/netns/testbed.js';
import { childPids, measureCpu, percentile, rssKb } from './proc-stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    faults: { type: 'string' },
    'cpu-seconds': { type: 'string' },
  },
});
const quick = values.quick ?? false;
const faults = Number(values.faults ?? (quick ? 10 : 50));
const cpuSeconds = Number(values['cpu-seconds'] ?? (quick ? 10 : 60));
if (!Number.isInteger(faults) || faults < 1 || faults > 1000)
  throw new Error(`--faults must be 1..1000, got ${values.faults}`);
if (!Number.isFinite(cpuSeconds) || cpuSeconds < 1 || cpuSeconds > 600) {
  throw new Error(`--cpu-seconds must be 1..600, got ${values['cpu-seconds']}`);
}

const resultsFile = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../bench/results/monitor-latest.json',
);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (text: string): void => void process.stderr.write(`${text}\n`);

interface Scenario {
  name: string;
  intervalMilliseconds: number;
  timeoutMilliseconds: number;
  /** The goal applies to this scenario (the others are shown for information). */
  goal: boolean;
}

const scenarios: Scenario[] = [
  { name: '100 ms interval', intervalMilliseconds: 100, timeoutMilliseconds: 10, goal: true },
  { name: '20 ms interval', intervalMilliseconds: 20, timeoutMilliseconds: 10, goal: true },
  ...(quick
    ? []
    : [
        {
          name: '100 ms interval, 100 ms timeout',
          intervalMilliseconds: 100,
          timeoutMilliseconds: 100,
          goal: false,
        },
      ]),
];
const failureThreshold = 2;
const successThreshold = 2;

interface LatencyResult {
  scenario: Scenario;
  faults: number;
  /** Every observer's report, ms after the link went down. */
  perObserver: number[];
  /** The first report of each fault. */
  first: number[];
  missed: number;
  goalMs: number;
}

const isEvent =
  (type: string, hostname: string, observer: string) =>
  (e: HostEvent): boolean =>
    e.type === type && e.details.hostname === hostname && e.details.observer === observer;

async function settle(
  bed: Testbed,
  receiver: EventReceiver,
  peers: number,
  timeoutMs: number,
): Promise<void> {
  const names = bed.hosts.map((h) => ({ name: h.name }));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = names.flatMap((o) =>
      watchedBy(names, o.name, peers).filter((p) => {
        const last = receiver.received
          .map((r) => r.event)
          .filter(
            (e) =>
              e.details.observer === o.name &&
              e.details.hostname === p.name &&
              /^compute\.host\.(up|down)$/.test(e.type),
          )
          .at(-1);
        return last?.type !== 'compute.host.up';
      }),
    );
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`monitors did not settle: ${pending.length} peers not up`);
    await sleep(100);
  }
}

async function measureLatency(scenario: Scenario): Promise<LatencyResult> {
  const peers = 3;
  const bed = await createTestbed({ hosts: 4, managementNetwork: true });
  let receiver: EventReceiver | undefined;
  let fleet: MonitorFleet | undefined;
  const switches = bed.hosts.map((h) => bed.nicSwitch(h.name));
  try {
    receiver = await EventReceiver.start(bed.receiverAddress);
    const settings: FleetSettings = {
      inspectorUrl: receiver.url,
      intervalMilliseconds: scenario.intervalMilliseconds,
      timeoutMilliseconds: scenario.timeoutMilliseconds,
      failureThreshold,
      successThreshold,
      peers,
      interfaces: ['eth0'],
      heartbeatSeconds: 5,
      deliveryTimeoutMilliseconds: 1000,
      maxBackoffMilliseconds: 500,
    };
    fleet = new MonitorFleet(bed, settings);
    fleet.start();
    await fleet.waitStarted();
    await settle(bed, receiver, peers, 15_000);
    // Let every prober finish calibrating ping's cadence (it measures ~20 probes first).
    await sleep(Math.max(2000, scenario.intervalMilliseconds * 40));
    const names = bed.hosts.map((h) => ({ name: h.name }));
    const result: LatencyResult = {
      scenario,
      faults: 0,
      perObserver: [],
      first: [],
      missed: 0,
      goalMs: scenario.intervalMilliseconds * failureThreshold + 20,
    };
    for (let i = 0; i < faults; i++) {
      const index = i % bed.hosts.length;
      const host = bed.hosts[index]!.name;
      const observers = observersOf(names, host, peers).map((h) => h.name);
      // A random phase between the fault and the probers' schedules.
      await sleep(Math.random() * scenario.intervalMilliseconds);
      const mark = receiver.received.length;
      const t0 = epochMs();
      switches[index]!.set('down');
      const arrivals: number[] = [];
      for (const observer of observers) {
        try {
          const got = await receiver.waitFor(isEvent('compute.host.down', host, observer), 5000, mark);
          arrivals.push(got.at - t0);
        } catch {
          result.missed++;
        }
      }
      result.faults++;
      result.perObserver.push(...arrivals);
      if (arrivals.length > 0) result.first.push(Math.min(...arrivals));
      const upMark = receiver.received.length;
      switches[index]!.set('up');
      for (const observer of observers) {
        await receiver
          .waitFor(isEvent('compute.host.up', host, observer), 10_000, upMark)
          .catch(() => undefined);
      }
      // The faulted host's own monitor was isolated; wait until it is connected again.
      await receiver
        .waitFor(isEvent('compute.host.connected', host, host), 10_000, mark)
        .catch(() => undefined);
      await sleep(scenario.intervalMilliseconds * 3);
      if ((i + 1) % 10 === 0) log(`  ${scenario.name}: ${i + 1}/${faults} faults`);
    }
    return result;
  } finally {
    for (const sw of switches) sw.close();
    await fleet?.stop();
    fleet?.cleanup();
    await receiver?.close();
    await bed.destroy();
  }
}

interface ResourceResult {
  seconds: number;
  peers: number;
  cpuPercentOfCore: number;
  cpuMonitorPercent: number;
  cpuPingPercent: number;
  rssMonitorMb: number;
  rssMonitorMaxMb: number;
  rssPingsMb: number;
}

async function measureResources(): Promise<ResourceResult> {
  const peers = 8;
  const bed = await createTestbed({ hosts: peers + 1, managementNetwork: true });
  let receiver: EventReceiver | undefined;
  let fleet: MonitorFleet | undefined;
  try {
    receiver = await EventReceiver.start(bed.receiverAddress);
    fleet = new MonitorFleet(bed, {
      inspectorUrl: receiver.url,
      intervalMilliseconds: 100,
      timeoutMilliseconds: 100,
      failureThreshold,
      successThreshold,
      peers,
      interfaces: ['eth0'],
      heartbeatSeconds: 5,
    });
    fleet.start(['node-1']);
    await fleet.waitStarted();
    const pid = fleet.monitors.get('node-1')!.child.pid!;
    await sleep(quick ? 3000 : 10_000); // warm-up: JIT, ping cadence calibration
    let rssMax = 0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssKb(pid))), 1000);
    const cpu = await measureCpu(pid, cpuSeconds * 1000);
    clearInterval(sampler);
    const pings = childPids(pid);
    const rssMonitor = rssKb(pid);
    const rssPings = pings.reduce((sum, p) => sum + rssKb(p), 0);
    if (pings.length !== peers) log(`  warning: ${pings.length} ping processes, expected ${peers}`);
    return {
      seconds: cpuSeconds,
      peers,
      cpuPercentOfCore: cpu.percentOfCore,
      cpuMonitorPercent: cpu.processPercent,
      cpuPingPercent: cpu.childrenPercent,
      rssMonitorMb: rssMonitor / 1024,
      rssMonitorMaxMb: Math.max(rssMax, rssMonitor) / 1024,
      rssPingsMb: rssPings / 1024,
    };
  } finally {
    await fleet?.stop();
    fleet?.cleanup();
    await receiver?.close();
    await bed.destroy();
  }
}

function row(metric: string, value: string, goal: string, ok?: boolean): string {
  const verdict = ok === undefined ? '' : ok ? 'met' : 'MISSED';
  return `${metric.padEnd(52)} ${value.padStart(12)}  ${goal.padEnd(12)} ${verdict}`;
}

log(`monitor benchmark (${quick ? 'quick' : 'full'}): ${faults} faults per scenario, ${cpuSeconds} s of CPU`);
const latencies: LatencyResult[] = [];
for (const scenario of scenarios) {
  log(`latency: ${scenario.name} (timeout ${scenario.timeoutMilliseconds} ms)`);
  latencies.push(await measureLatency(scenario));
}
log('resources: one monitor, 8 peers at 10 Hz');
const resources = await measureResources();

const lines = [row('figure', 'measured', 'goal'), row('', '', '')];
for (const r of latencies) {
  const s = r.scenario;
  const label = `${s.name} (timeout ${s.timeoutMilliseconds}, ${failureThreshold} misses)`;
  const p50 = percentile(r.perObserver, 50);
  const p99 = percentile(r.perObserver, 99);
  lines.push(row(`detection p50, ${label}`, `${p50.toFixed(1)} ms`, ''));
  lines.push(
    row(
      `detection p99, ${label}`,
      `${p99.toFixed(1)} ms`,
      s.goal ? `<= ${r.goalMs} ms` : '(info)',
      s.goal ? p99 <= r.goalMs : undefined,
    ),
  );
  lines.push(
    row(
      `  first observer p50 / p99`,
      `${percentile(r.first, 50).toFixed(1)} / ${percentile(r.first, 99).toFixed(1)}`,
      '',
    ),
  );
  lines.push(
    row(
      `  reports: ${r.perObserver.length} from ${r.faults} faults, missed`,
      String(r.missed),
      '0',
      r.missed === 0,
    ),
  );
}
lines.push(
  row(
    `CPU, monitor + ${resources.peers} pings, 10 Hz, ${resources.seconds} s`,
    `${resources.cpuPercentOfCore.toFixed(2)} %`,
    '<= 2 % core',
    resources.cpuPercentOfCore <= 2,
  ),
);
lines.push(
  row(
    `  node ${resources.cpuMonitorPercent.toFixed(2)} %, pings ${resources.cpuPingPercent.toFixed(2)} %`,
    '',
    '',
  ),
);
lines.push(
  row(
    'RSS, monitor process (max)',
    `${resources.rssMonitorMaxMb.toFixed(1)} MB`,
    '<= 60 MB',
    resources.rssMonitorMaxMb <= 60,
  ),
);
lines.push(row(`  plus ${resources.peers} ping processes`, `${resources.rssPingsMb.toFixed(1)} MB`, ''));
process.stdout.write(`${lines.join('\n')}\n`);

mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(
  resultsFile,
  `${JSON.stringify(
    {
      benchmark: 'monitor',
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      machine: { cpus: cpus().length, loadavg: loadavg() },
      thresholds: { failureThreshold, successThreshold },
      latency: latencies.map((r) => ({
        scenario: r.scenario.name,
        intervalMilliseconds: r.scenario.intervalMilliseconds,
        timeoutMilliseconds: r.scenario.timeoutMilliseconds,
        faults: r.faults,
        reports: r.perObserver.length,
        missedReports: r.missed,
        p50Ms: percentile(r.perObserver, 50),
        p99Ms: percentile(r.perObserver, 99),
        firstObserverP50Ms: percentile(r.first, 50),
        firstObserverP99Ms: percentile(r.first, 99),
        goalP99Ms: r.scenario.goal ? r.goalMs : null,
        samplesMs: r.perObserver.map((v) => Number(v.toFixed(2))),
      })),
      resources: { ...resources, goals: { cpuPercentOfCore: 2, rssMb: 60 } },
    },
    null,
    2,
  )}\n`,
);
log(`results written to ${resultsFile}`);
