// Monitor benchmark: link down -> inspector decision (quorum 2, 4 hosts, real monitors, real ICMP in
// network namespaces, the operator's correlation engine fed with the reports as they arrived), each
// observer's report, and CPU/RSS of one monitor probing 8 peers. Every figure names its probe settings;
// the goals apply at the FaultPolicy defaults. Needs root (it builds the test beds).
//   node dist/bench/monitor/detection.js            full run: 100 faults at the defaults, 60 s of CPU
//   node dist/bench/monitor/detection.js --quick    smoke run: 10 faults, 10 s of CPU
// A tail statistic over fewer than 100 samples is reported as the maximum, and named so.
// Prints a table with each figure beside its goal and writes bench/results/monitor-latest.json;
// `runMonitorBenchmark` is the same for bench/run-all.ts.
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { HostEvent } from '../../src/api/events.js';
import { monitorProbeDefaults } from '../../src/api/schema/faultpolicy.js';
import { observersOf, watchedBy } from '../../src/contracts/observer-ring.js';
import { EventReceiver, epochMs } from '../../tools/testbed/event-receiver.js';
import { MonitorFleet, type FleetSettings } from '../../tools/testbed/monitor-fleet.js';
import { createTestbed, type Testbed } from '../../tools/testbed/testbed.js';
import { goalMet, type BenchResult, type Figure, type Settings } from '../lib/report.js';
import { summary } from '../lib/stats.js';
import { formatGoal, formatValue } from '../lib/table.js';
import { DecisionFeed } from './decision-feed.js';
import { childPids, measureCpu, rssKb } from './proc-stats.js';
import { errorText } from '../../src/util/error-text.js';
import { monitorNodeFlags } from '../../src/monitor/node-flags.js';

export interface MonitorBenchOptions {
  quick: boolean;
  /** Faults at the default settings (default 100, quick 10). */
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
const successThreshold = 2;
const quorum = 2;
const peers = 3;
const decisionGoalMs = 100;

interface ProbeSettings {
  intervalMilliseconds: number;
  timeoutMilliseconds: number;
  failureThreshold: number;
}

interface Scenario {
  name: string;
  probe: ProbeSettings;
  faults: number;
  /** The goals apply to this scenario (the others are shown for information). */
  goal: boolean;
}

const oldDefaults: ProbeSettings = {
  intervalMilliseconds: 100,
  timeoutMilliseconds: 100,
  failureThreshold: 2,
};

function scenarios(quick: boolean, faults: number): Scenario[] {
  const list: Scenario[] = [{ name: 'defaults', probe: { ...monitorProbeDefaults }, faults, goal: true }];
  // The defaults before they were tuned for the decision goal, for comparison.
  if (!quick) list.push({ name: 'former defaults', probe: oldDefaults, faults: 20, goal: false });
  return list;
}

export function settingsLabel(p: ProbeSettings): string {
  return `interval ${p.intervalMilliseconds} ms, timeout ${p.timeoutMilliseconds} ms, threshold ${p.failureThreshold}`;
}

interface LatencyResult {
  scenario: Scenario;
  faults: number;
  /** Inspector decisions (quorum 2), ms after the link went down: one per fault. */
  decisions: number[];
  /** Every observer's report, ms after the link went down. */
  perObserver: number[];
  missed: number;
  missedDecisions: number;
}

const isEvent =
  (type: string, hostname: string, observer: string) =>
  (e: HostEvent): boolean =>
    e.type === type && e.details.hostname === hostname && e.details.observer === observer;

/** Waits until every monitor's latest report about each of its peers is "up". */
async function settle(bed: Testbed, receiver: EventReceiver, timeoutMs: number): Promise<void> {
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

/** Waits (bounded) until the engine holds the host Healthy again, so each fault starts afresh. */
async function healthy(feed: DecisionFeed, host: string, fault: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const state = feed.settle(host, epochMs());
    if (state === 'Healthy') return;
    if (Date.now() > deadline) throw new Error(`${host} is ${state} before fault ${fault}, not Healthy`);
    await sleep(50);
  }
}

async function measureLatency(scenario: Scenario, log: (line: string) => void): Promise<LatencyResult> {
  const bed = await createTestbed({ hosts: 4, managementNetwork: true });
  let receiver: EventReceiver | undefined;
  let fleet: MonitorFleet | undefined;
  const switches = bed.hosts.map((h) => bed.nicSwitch(h.name));
  const interval = scenario.probe.intervalMilliseconds;
  try {
    receiver = await EventReceiver.start(bed.receiverAddress);
    const settings: FleetSettings = {
      inspectorUrl: receiver.url,
      ...scenario.probe,
      successThreshold,
      peers,
      // No NIC watched: the decision has to come from two observers (a NIC report would decide alone).
      interfaces: [],
      heartbeatSeconds: 5,
      deliveryTimeoutMilliseconds: 1000,
      maxBackoffMilliseconds: 500,
    };
    fleet = new MonitorFleet(bed, settings);
    fleet.start();
    await fleet.waitStarted();
    await settle(bed, receiver, 15_000);
    const feed = new DecisionFeed(receiver, bed.hosts, peers, quorum);
    // Let V8 warm up the per-probe path first.
    await sleep(2000);
    const names = bed.hosts.map((h) => ({ name: h.name }));
    const result: LatencyResult = {
      scenario,
      faults: 0,
      decisions: [],
      perObserver: [],
      missed: 0,
      missedDecisions: 0,
    };
    for (let i = 0; i < scenario.faults; i++) {
      const index = i % bed.hosts.length;
      const host = bed.hosts[index]!.name;
      await healthy(feed, host, i + 1);
      const observers = observersOf(names, host, peers).map((h) => h.name);
      // A random phase between the fault and the probers' schedules.
      await sleep(Math.random() * interval);
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
      const decision = feed.drain().find((d) => d.host === host);
      if (decision) result.decisions.push(decision.at - t0);
      else result.missedDecisions++;
      result.faults++;
      result.perObserver.push(...arrivals);
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
      await sleep(interval * 3);
      if ((i + 1) % 10 === 0) log(`  ${scenario.name}: ${i + 1}/${scenario.faults} faults`);
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
  probe: ProbeSettings;
  interfaces: string[];
  warmupSeconds: number;
  seconds: number;
  peers: number;
  cpuPercentOfCore: number;
  cpuMonitorPercent: number;
  cpuFpingPercent: number;
  rssMonitorMb: number;
  rssMonitorMaxMb: number;
  rssFpingMb: number;
}

async function measureResources(
  quick: boolean,
  seconds: number,
  interfaces: string[],
  log: (line: string) => void,
): Promise<ResourceResult> {
  const watched = 8;
  const probe: ProbeSettings = { ...monitorProbeDefaults };
  // V8 optimises the per-probe path only after some thousands of probes; the monitor runs for days.
  const warmupSeconds = quick ? 5 : 30;
  const bed = await createTestbed({ hosts: watched + 1, managementNetwork: true });
  let receiver: EventReceiver | undefined;
  let fleet: MonitorFleet | undefined;
  try {
    receiver = await EventReceiver.start(bed.receiverAddress);
    fleet = new MonitorFleet(bed, {
      inspectorUrl: receiver.url,
      ...probe,
      successThreshold,
      peers: watched,
      interfaces,
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
    const children = childPids(pid);
    const rssMonitor = rssKb(pid);
    const rssChildren = children.reduce((sum, p) => sum + rssKb(p), 0);
    if (children.length !== 1) log(`  warning: ${children.length} child processes, expected one fping`);
    return {
      probe,
      interfaces,
      warmupSeconds,
      seconds,
      peers: watched,
      cpuPercentOfCore: cpu.percentOfCore,
      cpuMonitorPercent: cpu.processPercent,
      cpuFpingPercent: cpu.childrenPercent,
      rssMonitorMb: rssMonitor / 1024,
      rssMonitorMaxMb: Math.max(rssMax, rssMonitor) / 1024,
      rssFpingMb: rssChildren / 1024,
    };
  } finally {
    await fleet?.stop();
    fleet?.cleanup();
    await receiver?.close();
    await bed.destroy();
  }
}

/** The probe settings a figure was measured with, as table settings. */
function probeSettings(p: ProbeSettings): Settings {
  return {
    'probe interval': `${p.intervalMilliseconds} ms`,
    'probe timeout': `${p.timeoutMilliseconds} ms`,
    'failure threshold': p.failureThreshold,
    // The monitors run as the DaemonSet runs them (tools/testbed/monitor-fleet.ts).
    launch: `node ${monitorNodeFlags.join(' ')} cli.js monitor (as the DaemonSet)`,
  };
}

function latencyFigures(r: LatencyResult): Figure[] {
  const s = r.scenario;
  const settings = { ...probeSettings(s.probe), scenario: s.name, quorum, hosts: 4, network: 'real netns' };
  const decision = 'link down -> inspector decision';
  return [
    { name: decision, unit: 'ms', ...summary(r.decisions, 'p50'), settings },
    {
      name: decision,
      unit: 'ms',
      ...summary(r.decisions, 'p99'),
      settings,
      ...(s.goal
        ? { goal: { statistic: 'p99' as const, op: '<=' as const, value: decisionGoalMs } }
        : { note: 'information' }),
    },
    { name: "link down -> each observer's report", unit: 'ms', ...summary(r.perObserver, 'p50'), settings },
    { name: "link down -> each observer's report", unit: 'ms', ...summary(r.perObserver, 'p99'), settings },
    {
      name: 'faults without a decision + observer reports that never came',
      value: r.missedDecisions + r.missed,
      unit: '',
      statistic: 'count',
      samples: Math.max(1, r.faults),
      settings,
      goal: { statistic: 'count', op: '=', value: 0 },
    },
  ];
}

function resourceFigures(r: ResourceResult): Figure[] {
  // The default watches no NIC; watching one adds a link-state read every probe interval.
  const defaults = r.interfaces.length === 0;
  const settings = {
    ...probeSettings(r.probe),
    peers: r.peers,
    prober: 'one fping',
    NICs: defaults ? 'none watched (default)' : r.interfaces.join(', '),
    window: `${r.seconds} s after ${r.warmupSeconds} s`,
  };
  const single = { statistic: 'single' as const, samples: 1, settings };
  return [
    {
      name: 'CPU, one monitor + its fping',
      value: r.cpuPercentOfCore,
      unit: '% of a core',
      ...single,
      ...(defaults
        ? { goal: { statistic: 'single' as const, op: '<=' as const, value: 2 } }
        : { note: 'information' }),
    },
    { name: 'CPU, the monitor process', value: r.cpuMonitorPercent, unit: '% of a core', ...single },
    { name: 'CPU, its fping process', value: r.cpuFpingPercent, unit: '% of a core', ...single },
    {
      name: 'RSS, monitor process, read once a second',
      value: r.rssMonitorMaxMb,
      unit: 'MB',
      statistic: 'max',
      samples: Math.max(1, r.seconds),
      settings,
      goal: { statistic: 'max', op: '<=', value: 60 },
    },
    { name: 'RSS, its fping process', value: r.rssFpingMb, unit: 'MB', ...single },
  ];
}

/** Runs the benchmark; returns its figures (each beside its goal) and writes monitor-latest.json. */
export async function runMonitorBenchmark(options: MonitorBenchOptions): Promise<BenchResult> {
  const { quick, log } = options;
  const faults = options.faults ?? (quick ? 10 : 100);
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
  for (const scenario of scenarios(quick, faults)) {
    log(`latency: ${scenario.name} (${settingsLabel(scenario.probe)}), ${scenario.faults} faults`);
    latencies.push(await measureLatency(scenario, log));
  }
  const resources: ResourceResult[] = [];
  for (const interfaces of [[], ['eth0']]) {
    log(
      `resources: one monitor probing 8 peers (${settingsLabel(monitorProbeDefaults)}), NICs [${interfaces.join(', ')}]`,
    );
    resources.push(await measureResources(quick, cpuSeconds, interfaces, log));
  }

  const result: BenchResult = {
    benchmark: 'monitor',
    description:
      'link down -> inspector decision (quorum 2) and each observer report (real monitors, real ICMP, network namespaces); CPU and RSS of one monitor probing 8 peers, at the FaultPolicy defaults',
    figures: [...latencies.flatMap(latencyFigures), ...resources.flatMap(resourceFigures)],
    details: {
      mode: quick ? 'quick' : 'full',
      machine: { cpus: cpus().length, loadavg: loadavg() },
      successThreshold,
      quorum,
      latency: latencies.map((r) => ({
        scenario: r.scenario.name,
        ...r.scenario.probe,
        faults: r.faults,
        reports: r.perObserver.length,
        missedReports: r.missed,
        missedDecisions: r.missedDecisions,
        goalMs: r.scenario.goal ? decisionGoalMs : null,
        decisionSamplesMs: r.decisions.map((v) => Number(v.toFixed(2))),
        reportSamplesMs: r.perObserver.map((v) => Number(v.toFixed(2))),
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
      process.stderr.write(`monitor benchmark: ${errorText(err)}\n`);
      process.exitCode = 1;
    },
  );
}
