// `make demo`: Doctor's fault-management functest on a local control plane, for a person watching.
// It starts everything, prints the components' lines as Doctor's functest did, pulls the link of one
// compute host, prints the timeline T00-T08 and the notification time, shows `kubectl get hosthealth`,
// writes .out/demo/timeline.json, restores the link, and removes everything it started.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../cluster/cluster.js';
import { repoRoot } from '../cluster/paths.js';
import { reapOrphanedRuns } from '../cluster/run-registry.js';
import { waitFor } from '../cluster/wait.js';
import { startScenario, timelineOffsets, timelinePoints, type Scenario } from './scenario.js';
import { errorText } from '../../src/util/error-text.js';

const hosts = 4;
const serversPerHost = 50;

const pointNames: Record<string, string> = {
  T00: 'fault injected (ip link set eth0 down)',
  T01: 'first monitor detection',
  T02: 'inspector received the first report',
  T03: 'host declared Down (quorum met)',
  T04: 'Nova service forced down',
  T05: `all ${serversPerHost} servers reset to error`,
  T06: 'first consumer notified',
  T07: 'all consumers notified',
  T08: 'HostHealth status written',
};

const epoch = (iso: string | undefined) => (iso ? (Date.parse(iso) / 1000).toFixed(3) : '?');

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Monitor lines worth showing: detections, in Doctor's words. */
function showMonitorLine(component: string, line: string): void {
  try {
    const entry = JSON.parse(line) as { message?: string; hostname?: string; type?: string };
    if (entry.message?.startsWith('doctor monitor detected at')) {
      const what =
        entry.type === 'compute.host.isolated'
          ? 'lost its own link: reports itself isolated, blames no peer'
          : `${entry.hostname ?? '?'} unreachable`;
      say(`  [${component}] ${entry.message} (${what})`);
    }
  } catch {
    // not a log line
  }
}

async function run(): Promise<void> {
  say('demo: OPNFV Doctor fault management on a local Kubernetes control plane (no Docker)');
  say(`demo: ${hosts} compute hosts with ${serversPerHost} servers each; one will lose its link\n`);
  await reapOrphanedRuns();
  let cluster: Cluster | undefined;
  let scenario: Scenario | undefined;
  const stopAll = async () => {
    say('\ndemo: cleaning up (monitors, operator, consumer, Nova simulator, namespaces, control plane)');
    await scenario?.stop();
    await cluster?.stop();
  };
  process.once('SIGINT', () => {
    say('\ndemo: interrupted');
    void stopAll().finally(() => process.exit(130));
  });
  try {
    cluster = await startCluster({ log: (l) => say(l) });
    scenario = await startScenario({
      cluster,
      name: 'demo',
      hosts,
      serversPerHost,
      policySpec: '  detection: {healthySeconds: 5}',
      log: (l) => say(`demo: ${l}`),
      onComponentLine: showMonitorLine,
    });
    const victim = scenario.hostNames[1]!;
    say(`\ndemo: injecting the fault: ip netns exec <${victim}> ip link set eth0 down`);
    const injectedAt = await scenario.injectLinkDown(victim);
    const down = await scenario.waitRemediated(victim, injectedAt);
    const timeline = down.status!.timeline!;
    const consumerLog = readFileSync(join(cluster.runDir, 'logs', 'demo-consumer-0.log'), 'utf8');
    const notified = consumerLog.split('\n').filter((l) => l.includes('doctor consumer notified at'));
    say(
      `  [inspector] event received at ${epoch(timeline.T02)}; host declared down at ${epoch(timeline.T03)}`,
    );
    say(`  [inspector] mark host down (nova-compute forced down) at ${epoch(timeline.T04)}`);
    say(
      `  [inspector] mark vm error (${down.status?.servers?.markedError ?? 0} servers) done at ${epoch(timeline.T05)}`,
    );
    if (notified[0]) {
      const first = JSON.parse(notified[0]) as { message: string };
      say(`  [consumer] ${first.message} (${notified.length} notifications, one per server)`);
    }

    const offsets = timelineOffsets(down);
    say('\n| point | what | ms after T00 |');
    say('| --- | --- | ---: |');
    for (const point of timelinePoints) say(`| ${point} | ${pointNames[point]} | ${offsets[point] ?? '?'} |`);
    const arrivals = scenario.arrivals().filter((a) => a.host === victim);
    const firstArrival = Math.min(...arrivals.map((a) => a.receivedAtMs));
    const notificationSeconds = (firstArrival - Date.parse(timeline.T01!)) / 1000;
    say(
      `\nnotification time: ${notificationSeconds.toFixed(3)} s (consumer notified - first detection; Doctor's criterion: < 1 s)`,
    );

    const outDir = join(repoRoot, '.out/demo');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(
      join(outDir, 'timeline.json'),
      JSON.stringify(
        { host: victim, timeline, offsetsMs: offsets, notificationSeconds, servers: down.status?.servers },
        null,
        2,
      ) + '\n',
    );
    say(`demo: timeline written to .out/demo/timeline.json\n`);

    say('$ kubectl get hosthealth');
    const table = await cluster.kubectl(['get', 'hosthealth', '-l', 'doctor.io/policy=demo-policy']);
    say(table.stdout.trimEnd());

    say(`\ndemo: restoring the link of ${victim}; the operator un-forces it after healthySeconds (5 s)`);
    await scenario.linkUp(victim);
    const s = scenario;
    await waitFor(
      `${victim} to be Healthy again`,
      async () => ((await s.hostHealth(victim)).status?.state === 'Healthy' ? true : undefined),
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    say(
      `demo: ${victim} is Healthy; nova-compute forced_down=${String(s.nova.state.computeService(victim)!.forcedDown)}`,
    );
  } finally {
    await stopAll();
  }
  say('demo: done');
}

run().then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    process.stderr.write(`demo: FAILED: ${errorText(err)}\n`);
    process.stderr.write('demo: the component logs are in .cache/cluster/runs/<latest>/logs/\n');
    process.exitCode = 1;
  },
);
