// Rack failure benchmark. 100 hosts with 50 servers each under one FaultPolicy
// (quorum 2 of 3 observers, maxUnhealthy 20%); 20 hosts (two racks) fail at once and their live observers
// report them down in one batch. Measured from that POST: every Nova service forced down, all 1000
// servers in error (simulator state polled every 10 ms) and all 1000 notifications recorded by the
// consumer (distinct ids). Goal <= 1 s. Then the storm case: 40 of 100 hosts reported down exceeds
// maxUnhealthy, so nothing may be acted on and the policy must say StormActive.
import { parseArgs } from 'node:util';
import type { HostEvent } from '../../src/api/events.js';
import type { SimCall } from '../../tools/nova-sim/index.js';
import type { SimServer } from '../../tools/nova-sim/state.js';
import { waitFor } from '../../tools/cluster/wait.js';
import type { BenchResult } from '../lib/report.js';
import { summary } from '../lib/stats.js';
import { cpuSeconds } from '../lib/process-usage.js';
import { ArrivalTail } from './arrival-tail.js';
import { warmConsumer, warmSimulator } from './warm-services.js';
import { heartbeats, hostDowns, postEvents } from './reports.js';
import { startRackTestbed, type RackTestbed, policyName } from './testbed.js';
import { downReporters, hostNames, watchedHosts } from './topology.js';
import { errorText } from '../../src/util/error-text.js';

const racks = 10;
const hostsPerRack = 10;
const serversPerHost = 50;
const failedRacks = 2;
const stormRacks = 4;
const goalMs = 1000;
const pollMs = 10;
const runTimeoutMs = 60_000;

interface RunTimes {
  forcedDownMs: number;
  serversErrorMs: number;
  notifiedMs: number;
  allDoneMs: number;
  /** From the HostHealth timelines: the last host declared Down (T03) and its status written (T08). */
  declaredMs: number;
  statusWrittenMs: number;
  /** Where the time goes: when the operator's first Nova call arrived, how many it made, mean duration. */
  firstNovaCallMs: number;
  novaCalls: number;
  /** Calls by method, status and kind of path, to see retries and refreshes at a glance. */
  callKinds: Record<string, number>;
  /** The slowest calls' start (after the POST) and duration. */
  slowestCalls: { what: string; startMs: number; durationMs: number }[];
  meanNovaCallMs: number;
  /**
   * CPU time spent during the run (from the POST to the last notification) by the operator, by this
   * process (the Nova simulator and the polling) and by the consumer: on a shared machine, where the
   * time goes and whether the harness itself was the bottleneck.
   */
  operatorCpuMs: number;
  harnessCpuMs: number;
  consumerCpuMs: number;
  /** kube-apiserver and etcd: what the Kubernetes writes made during the run cost on the shared cores. */
  controlPlaneCpuMs: number;
  /** The same over the quiet second before the run: what they spend without the benchmark. */
  controlPlaneIdleCpuMs: number;
}

type NumericTime = {
  [K in keyof RunTimes]: RunTimes[K] extends number ? K : never;
}[keyof RunTimes];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posts every observer's heartbeat (all peers up) until the listed hosts are all Healthy. */
async function everyoneHealthy(tb: RackTestbed, hosts: readonly string[], what: string): Promise<void> {
  let lastPost = 0;
  await waitFor(
    what,
    async () => {
      // Re-sent every 5 s: reports about hosts the inspector did not know yet were dropped.
      if (Date.now() - lastPost >= 5_000) {
        lastPost = Date.now();
        await postEvents(
          tb.operator.eventsUrl,
          heartbeats(hosts, (o) => watchedHosts(hosts, o), Date.now()),
        );
      }
      const items = await tb.hostHealths();
      const healthy = items.filter((h) => h.status?.state === 'Healthy').length;
      return healthy === hosts.length ? true : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** POSTs the down reports and polls until every server is in error and every notification arrived. */
async function measureOnce(
  tb: RackTestbed,
  tail: ArrivalTail,
  failed: readonly string[],
  servers: readonly SimServer[],
  downs: HostEvent[],
): Promise<RunTimes> {
  const failedSet = new Set(failed);
  // The control plane's own pace (kwok's Node heartbeats...) over a quiet second, to tell it from the run's.
  const idleFrom = cpuNow(tb).controlPlane;
  await sleep(1_000);
  const controlPlaneIdleCpuMs = Math.round(cpuNow(tb).controlPlane - idleFrom);
  tail.read(); // skip what arrived before this run
  tb.nova.clearCalls();
  const ids = new Set<string>();
  let lastNotification = 0;
  let forcedAt = 0;
  let errorAt = 0;
  const cpuAtStart = cpuNow(tb);
  const t0 = Date.now();
  // Polled while the POST is in flight: the inspector answers it only once the Downs are in status,
  // which is no part of what the user waits for (Nova and the consumers are).
  const posting = postEvents(tb.operator.eventsUrl, downs);
  posting.catch(() => undefined);
  const deadline = t0 + runTimeoutMs;
  for (;;) {
    const now = Date.now();
    if (!forcedAt && failed.every((h) => tb.nova.state.computeService(h)?.forcedDown === true))
      forcedAt = now;
    if (!errorAt && servers.every((s) => s.vmState === 'error')) errorAt = now;
    for (const a of tail.read()) {
      if (
        a.type !== 'aodh.alarm' ||
        a.id === undefined ||
        !failedSet.has(a.host ?? '') ||
        a.receivedAtMs < t0
      )
        continue;
      ids.add(a.id);
      lastNotification = Math.max(lastNotification, a.receivedAtMs);
    }
    if (forcedAt && errorAt && ids.size >= servers.length) break;
    if (now >= deadline) {
      const forced = failed.filter((h) => tb.nova.state.computeService(h)?.forcedDown === true).length;
      const inError = servers.filter((s) => s.vmState === 'error').length;
      throw new Error(
        `rack failure not handled within ${runTimeoutMs / 1000} s: ${forced}/${failed.length} services forced ` +
          `down, ${inError}/${servers.length} servers in error, ${ids.size}/${servers.length} notifications`,
      );
    }
    await sleep(pollMs);
  }
  const cpu = cpuNow(tb);
  await posting;
  // The simulator runs in this process: its call log has when each write was answered.
  const answeredAt = (c: SimCall) => c.startedAtMs + c.durationMs;
  const lastAnswer = (method: string, path: RegExp) =>
    Math.max(...tb.nova.novaCalls(method, path).map(answeredAt));
  forcedAt = Math.min(forcedAt, lastAnswer('PUT', /\/os-services\//));
  errorAt = Math.min(errorAt, lastAnswer('POST', /\/servers\/[^/]+\/action$/));
  const notifiedMs = lastNotification - t0;
  const serversErrorMs = Math.round(errorAt - t0);
  const { declaredMs, statusWrittenMs } = await timelineOf(tb, failedSet, t0);
  const calls = tb.nova.novaCalls();
  return {
    firstNovaCallMs: Math.round(Math.min(...calls.map((c) => c.startedAtMs)) - t0),
    novaCalls: calls.length,
    callKinds: countKinds(calls),
    slowestCalls: [...calls]
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 3)
      .map((c) => ({
        what: `${c.method} ${pathKind(c.path)} ${c.status}`,
        startMs: Math.round(c.startedAtMs - t0),
        durationMs: Math.round(c.durationMs),
      })),
    meanNovaCallMs: Number((calls.reduce((sum, c) => sum + c.durationMs, 0) / calls.length).toFixed(2)),
    forcedDownMs: Math.round(forcedAt - t0),
    serversErrorMs,
    notifiedMs,
    allDoneMs: Math.max(serversErrorMs, notifiedMs),
    declaredMs,
    statusWrittenMs,
    operatorCpuMs: Math.round(cpu.operator - cpuAtStart.operator),
    harnessCpuMs: Math.round(cpu.harness - cpuAtStart.harness),
    consumerCpuMs: Math.round(cpu.consumer - cpuAtStart.consumer),
    controlPlaneCpuMs: Math.round(cpu.controlPlane - cpuAtStart.controlPlane),
    controlPlaneIdleCpuMs,
  };
}

/** CPU milliseconds so far of the operator, this process, the consumer, kube-apiserver and etcd (10 ms
 * steps from /proc). */
function cpuNow(tb: RackTestbed): {
  operator: number;
  harness: number;
  consumer: number;
  controlPlane: number;
} {
  const own = process.cpuUsage();
  const controlPlane = tb.cluster.components
    .filter((c) => c.name === 'kube-apiserver' || c.name === 'etcd')
    .reduce((sum, c) => sum + cpuSeconds(c.pid) * 1000, 0);
  return {
    operator: cpuSeconds(tb.operator.process.pid) * 1000,
    harness: (own.user + own.system) / 1000,
    consumer: cpuSeconds(tb.consumerPid) * 1000,
    controlPlane,
  };
}

/** "servers/{id}/action" rather than one entry per server. */
function pathKind(path: string): string {
  return path
    .replace(/^\/compute[^/]*\/v2\.1/, '')
    .replace(/\/[0-9a-f-]{36}/g, '/{id}')
    .replace(/\/[0-9a-f]{32}/g, '/{id}');
}

function countKinds(calls: readonly { method: string; path: string; status: number }[]) {
  const kinds: Record<string, number> = {};
  for (const c of calls) {
    const key = `${c.method} ${pathKind(c.path)} ${c.status}`;
    kinds[key] = (kinds[key] ?? 0) + 1;
  }
  return kinds;
}

/** The inspector's side of the run, from the failed hosts' HostHealth timelines once all are complete. */
async function timelineOf(tb: RackTestbed, failed: ReadonlySet<string>, t0: number) {
  // Timeline points are ISO times in milliseconds: a point of this fault is never before t0's millisecond.
  const ofThisFault = (t: string | undefined) => t !== undefined && Date.parse(t) >= t0 - 1;
  const timelines = await waitFor(
    'the HostHealth timelines of every failed host (T08)',
    async () => {
      const items = (await tb.hostHealths()).filter((h) => failed.has(h.metadata.name));
      const lines = items.map((h) => h.status?.timeline);
      return lines.length === failed.size && lines.every((l) => ofThisFault(l?.T03) && ofThisFault(l?.T08))
        ? lines.map((l) => ({ T03: Date.parse(l!.T03!), T08: Date.parse(l!.T08!) }))
        : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  return {
    declaredMs: Math.max(...timelines.map((t) => t.T03)) - t0,
    statusWrittenMs: Math.max(...timelines.map((t) => t.T08)) - t0,
  };
}

/** Brings the failed hosts back: heartbeats say up, the operator un-forces them, the simulator's servers
 * go back to active (in Nova an operator would rebuild or reset them), and the "up" notifications settle. */
async function recover(
  tb: RackTestbed,
  hosts: readonly string[],
  failed: readonly string[],
  servers: readonly SimServer[],
  tail: ArrivalTail,
) {
  await everyoneHealthy(tb, hosts, 'the failed hosts to recover (all HostHealths Healthy)');
  await waitFor(
    'the operator to un-force the recovered Nova services',
    () =>
      Promise.resolve(
        failed.every((h) => tb.nova.state.computeService(h)?.forcedDown === false) ? true : undefined,
      ),
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  // Quiet for a second: the recovery notifications have all arrived.
  let quietSince = Date.now();
  await waitFor(
    'the recovery notifications to settle',
    () => {
      if (tail.read().length > 0) quietSince = Date.now();
      return Promise.resolve(Date.now() - quietSince >= 1_000 ? true : undefined);
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  for (const server of servers) {
    server.vmState = 'active';
    server.status = 'ACTIVE';
  }
}

async function stormCase(
  tb: RackTestbed,
  hosts: readonly string[],
  tail: ArrivalTail,
  log: (s: string) => void,
) {
  const stormHosts = hosts.slice(0, stormRacks * hostsPerRack);
  // In a storm the likelier cause is the network: the "failed" hosts are alive and report too.
  const reporters = downReporters(hosts, stormHosts, 2, false);
  const downs = hostDowns(reporters, Date.now());
  const stormActive = async () =>
    (await tb.policy()).status?.conditions?.find((c) => c.type === 'StormActive')?.status === 'True';
  if (await stormActive()) throw new Error('storm case: StormActive was already True before the storm');
  tb.nova.clearCalls();
  tail.read();
  const t0 = Date.now();
  await postEvents(tb.operator.eventsUrl, downs);
  // Monitors keep saying a peer is down (their heartbeats carry the verdict) for as long as it is: the
  // reports are repeated, so the storm lasts past the inspector's evidence window as it would for real.
  let repeating = true;
  const repeat = (async () => {
    for (let i = 0; repeating && i < 200; i++) {
      await sleep(300);
      // A refused repeat (503 while busy) changes nothing: the next one follows.
      if (repeating)
        await postEvents(tb.operator.eventsUrl, hostDowns(reporters, Date.now())).catch(() => undefined);
    }
  })();
  const stormAt = await waitFor('StormActive', async () => ((await stormActive()) ? Date.now() : undefined), {
    timeoutMs: 15_000,
    intervalMs: 50,
  }).catch(async (err: unknown) => {
    repeating = false;
    await repeat.catch(() => undefined);
    throw new Error(
      `storm case: ${stormHosts.length} of ${hosts.length} hosts reported down with maxUnhealthy 20%, but ` +
        `FaultPolicy ${policyName} never had StormActive=True (${errorText(err)})`,
    );
  });
  // Anything the operator would (wrongly) do starts within milliseconds; 2 s leaves ample room.
  await sleep(2_000);
  repeating = false;
  await repeat;
  const writes = tb.nova.novaCalls().filter((c) => c.method !== 'GET');
  const notifications = tail.read().filter((a) => a.receivedAtMs >= t0);
  const down = (await tb.hostHealths()).filter((h) => h.status?.state === 'Down').map((h) => h.metadata.name);
  log(
    `  storm: ${stormHosts.length} hosts reported down -> StormActive after ${stormAt - t0} ms; ` +
      `${writes.length} Nova writes, ${notifications.length} notifications, ${down.length} hosts Down`,
  );
  return { stormMs: stormAt - t0, writes: writes.length, notifications: notifications.length, down };
}

export async function runRackFailureBenchmark(options: {
  runs: number;
  log: (line: string) => void;
}): Promise<BenchResult> {
  const { log } = options;
  if (!(Number.isInteger(options.runs) && options.runs >= 1))
    throw new Error(`runs must be an integer >= 1, got ${options.runs}`);
  const hosts = hostNames(racks, hostsPerRack);
  const failed = hosts.slice(0, failedRacks * hostsPerRack);
  // A dead host reports nothing: each failed host is reported by (up to) 2 of its observers still alive.
  const reporters = downReporters(hosts, failed, 2, true);
  const singleWitness = [...reporters].filter(([, o]) => o.length < 2).map(([h]) => h);
  const tb = await startRackTestbed({ hosts, serversPerHost, log });
  try {
    const tail = new ArrivalTail(tb.recordFile);
    await everyoneHealthy(tb, hosts, `all ${hosts.length} HostHealths Healthy`);
    const servers = failed.flatMap((h) => tb.nova.state.serversOnHost(h));
    if (servers.length !== failed.length * serversPerHost)
      throw new Error(
        `the simulator has ${servers.length} servers on the failed hosts, expected ${failed.length * serversPerHost}`,
      );
    const spare = hosts.slice(failed.length, 2 * failed.length);
    const warmed = await warmSimulator(tb.nova, spare);
    const alarms = await warmConsumer(tb.consumerUrl, tb.nova, spare);
    log(
      `  ${hosts.length} hosts Healthy; simulator and consumer warmed (${warmed} resets, ${alarms} alarms ` +
        `about hosts that do not fail); ` +
        `failing ${failed.length} hosts (${servers.length} servers) per run, ` +
        `${singleWitness.length} of them seen by a single live observer`,
    );
    const runs: RunTimes[] = [];
    for (let run = 1; run <= options.runs; run++) {
      const times = await measureOnce(tb, tail, failed, servers, hostDowns(reporters, Date.now()));
      runs.push(times);
      log(
        `  run ${run}/${options.runs}: forced down ${times.forcedDownMs} ms, servers in error ${times.serversErrorMs} ms, ` +
          `notified ${times.notifiedMs} ms -> all done ${times.allDoneMs} ms (all declared Down ` +
          `${times.declaredMs} ms, status written ${times.statusWrittenMs} ms; CPU ms operator ` +
          `${times.operatorCpuMs}, harness with the Nova simulator ${times.harnessCpuMs}, consumer ` +
          `${times.consumerCpuMs}, kube-apiserver + etcd ${times.controlPlaneCpuMs} (${times.controlPlaneIdleCpuMs} in a quiet second before); first of ${times.novaCalls} Nova ` +
          `calls at ${times.firstNovaCallMs} ms, ${times.meanNovaCallMs} ms each on average: ` +
          `${JSON.stringify(times.callKinds)}; slowest ${JSON.stringify(times.slowestCalls)})`,
      );
      await recover(tb, hosts, failed, servers, tail);
    }
    const storm = await stormCase(tb, hosts, tail, log);

    const allDone = runs.map((r) => r.allDoneMs);
    const of = (key: NumericTime) => runs.map((r) => r[key]);
    const stormSettings = { 'failed hosts': stormRacks * hostsPerRack, maxUnhealthy: '20%' };
    return {
      benchmark: 'rack-failure',
      description:
        `${failed.length} of ${hosts.length} hosts (${serversPerHost} servers each) fail at once: report -> ` +
        `all servers in error and all notified; storm: ${stormRacks * hostsPerRack} of ${hosts.length} with maxUnhealthy 20%`,
      settings: {
        hosts: hosts.length,
        'failed hosts': failed.length,
        'servers per host': serversPerHost,
        'Nova latency': '0 ms',
        quorum: 2,
      },
      figures: [
        {
          name: 'report -> all servers in error + all notified',
          unit: 'ms',
          ...summary(allDone, 'p50'),
          note: 'the goal is on the p99 row',
        },
        {
          name: 'report -> all servers in error + all notified',
          unit: 'ms',
          ...summary(allDone, 'p99'),
          goal: { statistic: 'p99', op: '<=', value: goalMs },
        },
        {
          name: 'all hosts declared Down (T03)',
          unit: 'ms',
          ...summary(of('declaredMs'), 'p50'),
          note: 'context',
        },
        { name: 'all hosts forced down', unit: 'ms', ...summary(of('forcedDownMs'), 'p50'), note: 'context' },
        {
          name: 'all servers in error',
          unit: 'ms',
          ...summary(of('serversErrorMs'), 'p50'),
          note: 'context',
        },
        {
          name: 'all notifications delivered',
          unit: 'ms',
          ...summary(of('notifiedMs'), 'p50'),
          note: 'context',
        },
        ...(['operatorCpuMs', 'harnessCpuMs', 'consumerCpuMs', 'controlPlaneCpuMs'] as const).map((key) => ({
          name: {
            operatorCpuMs: 'CPU time of the operator during a run',
            harnessCpuMs: 'CPU time of the harness (Nova simulator, polling) during a run',
            consumerCpuMs: 'CPU time of the consumer during a run',
            controlPlaneCpuMs: 'CPU time of kube-apiserver and etcd during a run',
          }[key],
          unit: 'ms',
          ...summary(of(key), 'p50'),
          note: 'context: where the time goes on a shared machine',
        })),
        {
          name: 'all HostHealth status written (T08)',
          unit: 'ms',
          ...summary(of('statusWrittenMs'), 'p50'),
          note: 'context',
        },
        {
          name: 'storm: Nova write calls',
          value: storm.writes,
          unit: 'calls',
          statistic: 'count',
          samples: 1,
          settings: stormSettings,
          goal: { statistic: 'count', op: '=', value: 0 },
        },
        {
          name: 'storm: notifications',
          value: storm.notifications,
          unit: 'notifications',
          statistic: 'count',
          samples: 1,
          settings: stormSettings,
          goal: { statistic: 'count', op: '=', value: 0 },
        },
        {
          name: 'storm: report -> StormActive',
          value: storm.stormMs,
          unit: 'ms',
          statistic: 'single',
          samples: 1,
          settings: stormSettings,
          note: 'context',
        },
      ],
      details: {
        hosts: hosts.length,
        serversPerHost,
        failedHosts: failed,
        downReports: [...reporters].reduce((sum, [, o]) => sum + o.length, 0),
        singleWitnessHosts: singleWitness,
        runs,
        storm: { hosts: stormRacks * hostsPerRack, ...storm },
      },
    };
  } finally {
    await tb.stop();
  }
}

// Standalone: node dist/bench/rack/rack-failure.js [--runs 5]
if (process.argv[1]?.endsWith('/bench/rack/rack-failure.js')) {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  runRackFailureBenchmark({ runs: Number(values.runs ?? 5), log: (s) => console.log(s) }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (err: unknown) => {
      console.error(`rack failure benchmark failed: ${errorText(err)}`);
      process.exitCode = 1;
    },
  );
}
