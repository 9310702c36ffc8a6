// OPNFV Doctor's fault-management functest, end to end on the local control plane (see
// tools/demo/scenario.ts for what runs): `ip link set eth0 down` on one simulated compute host must
// be detected, correlated, marked in Nova and notified, with the whole timeline T00-T08 in its HostHealth
// and the consumer notified less than 1 second after detection; link up must undo it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../tools/cluster/paths.js';
import type { Cluster } from '../../tools/cluster/cluster.js';
import { waitFor } from '../../tools/cluster/wait.js';
import {
  startScenario,
  timelinePoints,
  type Scenario,
  type TimelinePoint,
} from '../../tools/demo/scenario.js';
import { sharedCluster } from '../support/shared-cluster.js';
import { eventsFor } from '../integration/operator/helpers.js';
import { dashboardMetrics, exposedNames } from '../support/promql-metrics.js';

/** `kubectl wait` for a HostHealth condition, as a user would: fails the test with kubectl's words. */
async function kubectlWait(cluster: Cluster, host: string, condition: string): Promise<void> {
  const result = await cluster.kubectl([
    'wait',
    `--for=condition=${condition}`,
    `hh/${host}`,
    '--timeout=60s',
  ]);
  assert.equal(result.code, 0, `kubectl wait --for=condition=${condition} hh/${host}: ${result.stderr}`);
}

const serversPerHost = 20;

describe('Doctor functest: link down on a compute host', function () {
  this.timeout(300_000);
  let scenario: Scenario | undefined;
  let cluster: Cluster;
  let victim = '';

  before(async function () {
    cluster = await sharedCluster();
    scenario = await startScenario({
      cluster,
      name: 'e2e',
      hosts: 4,
      serversPerHost,
      policySpec: '  detection: {healthySeconds: 3}\n  protection: {maxUnhealthy: 1}',
    });
    victim = scenario.hostNames[1]!;
  });

  after(async function () {
    this.timeout(120_000);
    await scenario?.stop();
  });

  it('detects, marks and notifies within 1 s of detection, with the whole timeline recorded', async function () {
    const s = scenario!;
    const injectedAt = await s.injectLinkDown(victim);
    const down = await s.waitRemediated(victim, injectedAt);
    const timeline = down.status!.timeline!;
    for (const point of timelinePoints)
      assert.ok(timeline[point], `${point} is recorded: ${JSON.stringify(timeline)}`);
    const at = (p: TimelinePoint) => Date.parse(timeline[p]!);
    // Causal order; Nova, resets and notifications run in parallel after the decision (T03), and a
    // server's notification follows its own reset, so T06 may come before T05.
    const order: [TimelinePoint, TimelinePoint][] = [
      ['T00', 'T01'],
      ['T01', 'T02'],
      ['T02', 'T03'],
      ['T03', 'T04'],
      ['T03', 'T05'],
      ['T03', 'T06'],
      ['T06', 'T07'],
      ['T04', 'T08'],
      ['T05', 'T08'],
      ['T07', 'T08'],
    ];
    for (const [earlier, later] of order) {
      assert.ok(at(earlier) <= at(later), `${earlier} is not after ${later}: ${JSON.stringify(timeline)}`);
    }

    const firstArrival = Math.min(
      ...s
        .arrivals()
        .filter((a) => a.host === victim)
        .map((a) => a.receivedAtMs),
    );
    const notificationSeconds = (firstArrival - at('T01')) / 1000;
    process.stderr.write(
      `      notification time: ${notificationSeconds.toFixed(3)} s (Doctor's pass criterion: < 1 s)\n`,
    );
    assert.ok(notificationSeconds < 1, `notification time ${notificationSeconds} s`);

    assert.equal(down.status!.state, 'Down');
    assert.equal(s.nova.state.computeService(victim)!.forcedDown, true);
    assert.ok(s.nova.state.serversOnHost(victim).every((server) => server.vmState === 'error'));
    await waitFor('one notification per server', () => {
      const servers = new Set(
        s
          .arrivals()
          .filter((a) => a.host === victim)
          .map((a) => a.server),
      );
      return Promise.resolve(servers.size === serversPerHost ? true : undefined);
    });
    for (const other of s.hostNames.filter((n) => n !== victim)) {
      assert.notEqual((await s.hostHealth(other)).status?.state, 'Down', `${other} stays up`);
      assert.equal(s.nova.state.computeService(other)!.forcedDown, false);
    }
    const reasons = (await eventsFor(s.kube, 'HostHealth', victim)).map((e) => e.reason);
    assert.ok(reasons.includes('HostDown'), reasons.join(', '));
    // The conditions say the same as the state and the steps, for kubectl wait and kstatus tools.
    await kubectlWait(cluster, victim, 'Remediated');
    await kubectlWait(cluster, victim, 'Healthy=False');
    // kubectl describe sorts status fields by name: the summary sits among state and timeline, the
    // long per-server list comes last.
    const described = await cluster.kubectl(['describe', 'hh', victim]);
    assert.equal(described.code, 0, described.stderr);
    const line = (heading: string) => described.stdout.indexOf(`\n  ${heading}:`);
    for (const heading of ['Notification Summary', 'State', 'Timeline', 'Webhooks'])
      assert.ok(line(heading) > 0, `describe shows ${heading}:\n${described.stdout}`);
    assert.ok(line('State') < line('Webhooks') && line('Timeline') < line('Webhooks'), described.stdout);
    assert.match(described.stdout, new RegExp(`Delivered:\\s+${serversPerHost}\\n`));
  });

  it('recovers when the link comes back: Healthy, un-forced, untainted', async function () {
    const s = scenario!;
    await s.linkUp(victim);
    await waitFor(
      `${victim} to recover`,
      async () => {
        const hh = await s.hostHealth(victim);
        const node = await s.kube.core.readNode({ name: victim });
        const tainted = node.spec?.taints?.some((t) => t.key === 'doctor.io/host-down') ?? false;
        const forced = s.nova.state.computeService(victim)!.forcedDown;
        return hh.status?.state === 'Healthy' && !forced && !tainted ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await kubectlWait(cluster, victim, 'Healthy');
    await kubectlWait(cluster, victim, 'Remediated');
  });

  it('exports every metric the Grafana dashboard queries, after the fault', async function () {
    const dashboard = readFileSync(
      join(repoRoot, 'helm/doctor-operator/files/grafana-dashboard.json'),
      'utf8',
    );
    const wanted = dashboardMetrics(dashboard);
    assert.ok(wanted.size >= 15, `the dashboard queries ${wanted.size} metrics`);
    const metrics = await scenario!.operator.get('/metrics');
    assert.equal(metrics?.status, 200);
    const exposed = exposedNames(metrics.body);
    const missing = [...wanted].filter(([name]) => !exposed.has(name));
    assert.deepEqual(
      missing.map(([name, panels]) => `${name} (panels: ${panels.join(', ')})`),
      [],
      'every metric a panel queries has samples on the leader',
    );
  });
});
