// Monitor benchmark (issue 4): detection latency (link down -> report received) p50/p99 over injected
// faults at 100 ms and 20 ms probe intervals, and CPU/RSS of one monitor probing 8 peers at 10 Hz.
// Real monitors, real ICMP, network-namespace test beds (198.18.0.0/15); needs root.
//   node dist/bench/monitor/detection.js            full run: 50 faults per scenario, 60 s of CPU
//   node dist/bench/monitor/detection.js --quick    smoke run: 10 faults per scenario, 10 s of CPU
// Prints a table with each figure beside its goal and writes bench/results/monitor-latest.json;
// `runMonitorBenchmark` is the same for bench/run-all.ts.
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { HostEvent } from '../../src/api/events.js';
import { observersOf, watchedBy } from '../../src/monitor/peers.js';
import { EventReceiver, epochMs } from '../../test/support/netns/event-receiver.js';
import { MonitorFleet, type FleetSettings } from '../../test/support/netns/monitor-fleet.js';
import { createTestbed, type Testbed } from '../../test/support/netns/testbed.js';
import { goalMet, type BenchResult, type Figure } from '../lib/report.js';
import { summary } from '../lib/stats.js';
import { formatGoal, formatValue } from '../lib/table.js';
import { childPids, measureCpu, rssKb } from './proc-stats.js';

export interface MonitorBenchOptions {
  quick: boolean;
  /** Faults per latency scenario (default 50, quick 10). */
  faults?: number;
  /** Length of the CPU/RSS window in seconds (default 60, quick 10). */
  cpuSeconds?: number;
  log: (line: string) => void;
}

const resultsFile = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../bench/results/monitor-latest.json',
);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const failureThreshold = 2;
const successThreshold = 2;

interface Scenario {
  name: string;
  intervalMilliseconds: number;
  timeoutMilliseconds: number;
  /** The goal applies to this scenario (the others are shown for information). */
  goal: boolean;
}

function scenarios(quick: boolean): Scenario[] {
  const list: Scenario[] = [
    { name: '100 ms interval', intervalMilliseconds: 100, timeoutMilliseconds: 10, goal: true },
    { name: '20 ms interval', intervalMilliseconds: 20, timeoutMilliseconds: 10, goal: true },
  ];
  // The CRD's default timeout, for information: a probe then counts as missed only 100 ms after it left.
  if (!quick)
    list.push({ name: '100 ms interval', intervalMilliseconds: 100, timeoutMilliseconds: 100, goal: false });
  return list;
}

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

/** Waits until every monitor's latest report about each of its peers is "up". */
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
          .filter((e) => e.details.observer === o.name && e.details.hostname === p.name)
          .filter((e) => e.type === 'compute.host.up' || e.type === 'compute.host.down')
          .at(-1);
        return last?.type !== 'compute.host.up';
      }),
    );
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new Error(`monitors did not settle: ${pending.length} peers not up`);
    await sleep(100);
  }
}

async function measureLatency(
  scenario: Scenario,
  faults: number,
  log: (line: string) => void,
): Promise<LatencyResult> {
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
    // Let every prober learn ping's cadence and send jitter first.
    await sleep(Math.max(2000, scenario.intervalMilliseconds * 30));
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
  warmupSeconds: number;
  seconds: number;
  peers: number;
  cpuPercentOfCore: number;
  cpuMonitorPercent: number;
  cpuPingPercent: number;
  rssMonitorMb: number;
  rssMonitorMaxMb: number;
  rssPingsMb: number;
}

async function measureResources(
  quick: boolean,
  seconds: number,
  log: (line: string) => void,
): Promise<ResourceResult> {
  const peers = 8;
  // V8 optimises the per-probe path only after some thousands of probes; the monitor runs for days.
  const warmupSeconds = quick ? 5 : 30;
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
    await sleep(warmupSeconds * 1000);
    let rssMax = 0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssKb(pid))), 1000);
    const cpu = await measureCpu(pid, seconds * 1000);
    clearInterval(sampler);
    const pings = childPids(pid);
    const rssMonitor = rssKb(pid);
    const rssPings = pings.reduce((sum, p) => sum + rssKb(p), 0);
    if (pings.length !== peers) log(`  warning: ${pings.length} ping processes, expected ${peers}`);
    return {
      warmupSeconds,
      seconds,
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

function latencyFigures(r: LatencyResult): Figure[] {
  const s = r.scenario;
  const settings = {
    'probe interval': `${s.intervalMilliseconds} ms`,
    'probe timeout': `${s.timeoutMilliseconds} ms`,
    'failure threshold': failureThreshold,
  };
  const goal = s.goal ? { goal: { statistic: 'p99' as const, op: '<=' as const, value: r.goalMs } } : {};
  return [
    { name: 'link down -> report, every observer', unit: 'ms', ...summary(r.perObserver, 'p50'), settings },
    {
      name: 'link down -> report, every observer',
      unit: 'ms',
      ...summary(r.perObserver, 'p99'),
      settings,
      ...(s.goal ? goal : { note: 'information' }),
    },
    { name: 'link down -> report, first observer', unit: 'ms', ...summary(r.first, 'p50'), settings },
    { name: 'link down -> report, first observer', unit: 'ms', ...summary(r.first, 'p99'), settings },
    {
      name: 'observer reports that never came',
      value: r.missed,
      unit: '',
      statistic: 'count',
      samples: r.faults,
      settings,
      goal: { statistic: 'count', op: '=', value: 0 },
    },
  ];
}

function resourceFigures(r: ResourceResult): Figure[] {
  const settings = {
    peers: r.peers,
    'probe interval': '100 ms',
    window: `${r.seconds} s after ${r.warmupSeconds} s`,
  };
  const single = { statistic: 'single' as const, samples: 1, settings };
  return [
    {
      name: `CPU, monitor + its ping processes`,
      value: r.cpuPercentOfCore,
      unit: '% of a core',
      ...single,
      goal: { statistic: 'single', op: '<=', value: 2 },
    },
    { name: 'CPU, the monitor process', value: r.cpuMonitorPercent, unit: '% of a core', ...single },
    { name: `CPU, its ${r.peers} ping processes`, value: r.cpuPingPercent, unit: '% of a core', ...single },
    {
      name: 'RSS, monitor process, read once a second',
      value: r.rssMonitorMaxMb,
      unit: 'MB',
      statistic: 'max',
      samples: r.seconds,
      settings,
      goal: { statistic: 'max', op: '<=', value: 60 },
    },
    { name: `RSS, its ${r.peers} ping processes`, value: r.rssPingsMb, unit: 'MB', ...single },
  ];
}

/** Runs the benchmark; returns its figures (each beside its goal) and writes monitor-latest.json. */
export async function runMonitorBenchmark(options: MonitorBenchOptions): Promise<BenchResult> {
  const { quick, log } = options;
  const faults = options.faults ?? (quick ? 10 : 50);
  const cpuSeconds = options.cpuSeconds ?? (quick ? 10 : 60);
  if (!Number.isInteger(faults) || faults < 1 || faults > 1000)
    throw new Error(`faults must be 1..1000, got ${faults}`);
  if (!Number.isFinite(cpuSeconds) || cpuSeconds < 1 || cpuSeconds > 600) {
    throw new Error(`cpuSeconds must be 1..600, got ${cpuSeconds}`);
  }
  log(
    `monitor benchmark (${quick ? 'quick' : 'full'}): ${faults} faults per scenario, ${cpuSeconds} s of CPU`,
  );
  const latencies: LatencyResult[] = [];
  for (const scenario of scenarios(quick)) {
    log(`latency: ${scenario.name}, timeout ${scenario.timeoutMilliseconds} ms`);
    latencies.push(await measureLatency(scenario, faults, log));
  }
  log('resources: one monitor, 8 peers at 10 Hz');
  const resources = await measureResources(quick, cpuSeconds, log);

  const result: BenchResult = {
    benchmark: 'monitor',
    description:
      'link down -> report received from every observer (real ICMP, network namespaces); CPU and RSS of one monitor probing 8 peers at 10 Hz',
    figures: [...latencies.flatMap(latencyFigures), ...resourceFigures(resources)],
    details: {
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
        goalP99Ms: r.scenario.goal ? r.goalMs : null,
        samplesMs: r.perObserver.map((v) => Number(v.toFixed(2))),
      })),
      resources,
    },
  };
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
  log(`results written to ${resultsFile}`);
  return result;
}

export function formatMonitorTable(result: BenchResult): string {
  const row = (figure: string, value: string, goal: string, verdict: string): string =>
    `${figure.padEnd(62)} ${value.padStart(10)}  ${goal.padEnd(17)} ${verdict}`;
  const lines = [row('figure', 'measured', 'goal', ''), ''];
  for (const f of result.figures) {
    const met = goalMet(f);
    const goal = f.goal ? formatGoal(f.goal, f.unit) : '';
    lines.push(
      row(
        `${f.name} ${f.statistic}`,
        formatValue(f.value, f.unit),
        goal,
        met === undefined ? '' : met ? 'met' : 'MISSED',
      ),
    );
  }
  return lines.join('\n');
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    return realpathSync(invoked) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      faults: { type: 'string' },
      'cpu-seconds': { type: 'string' },
    },
  });
  runMonitorBenchmark({
    quick: values.quick ?? false,
    ...(values.faults !== undefined ? { faults: Number(values.faults) } : {}),
    ...(values['cpu-seconds'] !== undefined ? { cpuSeconds: Number(values['cpu-seconds']) } : {}),
    log: (line) => void process.stderr.write(`${line}\n`),
  }).then(
    (result) => {
      process.stdout.write(`${formatMonitorTable(result)}\n`);
      process.exitCode = result.figures.every((f) => goalMet(f) !== false) ? 0 : 1;
    },
    (err: unknown) => {
      process.stderr.write(`monitor benchmark: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
