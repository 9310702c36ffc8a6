import assert from 'node:assert/strict';
import { MonitorCore, type ReportIntent } from '../../../src/monitor/monitor-core.js';

const interval = 100;
const settings = { intervalMilliseconds: interval, failureThreshold: 2, successThreshold: 2 };
const peers = [
  { name: 'node-a', address: '198.18.0.2' },
  { name: 'node-b', address: '198.18.0.3' },
  { name: 'node-c', address: '198.18.0.4' },
];

/** A core watching the three peers, all already reported up. Peers are probed out of phase (0/30/60 ms). */
function upCore(): { core: MonitorCore; reports: ReportIntent[] } {
  const core = new MonitorCore('self', settings);
  const reports: ReportIntent[] = [...core.setPeers(peers, 0)];
  for (const t of [0, 100]) {
    peers.forEach((p, i) =>
      reports.push(...core.onProbe(p.name, { ok: true, sentAt: t + i * 30, at: t + i * 30 + 1, rttMs: 0.2 })),
    );
  }
  return { core, reports };
}

const phase = (name: string): number => peers.findIndex((p) => p.name === name) * 30;
const ok = (core: MonitorCore, name: string, t: number): readonly ReportIntent[] =>
  core.onProbe(name, { ok: true, sentAt: t + phase(name), at: t + phase(name) + 1, rttMs: 0.3 });
const miss = (core: MonitorCore, name: string, t: number): readonly ReportIntent[] =>
  core.onProbe(name, { ok: false, sentAt: t + phase(name), at: t + phase(name) + 10 });
const types = (reports: readonly ReportIntent[]): string[] => reports.map((r) => `${r.type} ${r.hostname}`);

describe('monitor core', () => {
  it('reports each peer up once, with address and rtt', () => {
    const { reports } = upCore();
    assert.deepEqual(types(reports), [
      'compute.host.up node-a',
      'compute.host.up node-b',
      'compute.host.up node-c',
    ]);
    assert.equal(reports[0]?.address, '198.18.0.2');
    assert.equal(reports[0]?.rttMs, 0.2);
    assert.equal(reports[0]?.at, 101);
  });

  it('reports one peer down at its threshold when the others still answer', () => {
    const { core } = upCore();
    const out: ReportIntent[] = [];
    for (const t of [200, 300]) {
      out.push(...miss(core, 'node-b', t), ...ok(core, 'node-a', t), ...ok(core, 'node-c', t));
    }
    assert.deepEqual(types(out), ['compute.host.down node-b']);
    const down = out[0]!;
    assert.equal(down.status, 'down');
    assert.equal(down.at, 340, 'detected when the second miss became known');
    assert.equal(down.rttMs, 0.2, 'rtt of the last reply');
    assert.equal(down.extra?.missed_probes, 2);
    assert.deepEqual(
      types([...ok(core, 'node-b', 400), ...ok(core, 'node-b', 500)]),
      ['compute.host.up node-b'],
      'back up after two replies',
    );
  });

  it('reports itself isolated, not its peers down, when all peers go silent together', () => {
    const { core } = upCore();
    const out: ReportIntent[] = [];
    // Own link fails at t=190: every probe from then on is lost; node-a hits its threshold first.
    for (const t of [200, 300]) for (const p of peers) out.push(...miss(core, p.name, t));
    assert.deepEqual(types(out), ['compute.host.isolated self']);
    assert.deepEqual(out[0]?.extra?.unreachable_peers, ['node-a', 'node-b', 'node-c']);
    assert.equal(out[0]?.at, 370, 'decided when the last peer reached its threshold');
    assert.ok(core.isIsolated);
    assert.deepEqual(
      core.verdicts().map((v) => v.status),
      ['unknown', 'unknown', 'unknown'],
    );
    // Still cut off: more misses say nothing.
    assert.deepEqual(miss(core, 'node-a', 400), []);
    // The link returns; node-c answers twice first.
    assert.deepEqual(ok(core, 'node-c', 500), []);
    const back = ok(core, 'node-c', 600);
    assert.deepEqual(types(back), ['compute.host.connected self']);
    assert.equal(back[0]?.extra?.via, 'node-c');
    // Other peers are judged afresh: node-a answers (no report, it was up), node-b stays silent -> down.
    const after: ReportIntent[] = [];
    for (const t of [600, 700]) after.push(...ok(core, 'node-a', t), ...miss(core, 'node-b', t));
    assert.deepEqual(types(after), ['compute.host.down node-b']);
  });

  it('does not call it isolation when the peers went silent more than a window apart', () => {
    const { core } = upCore();
    const out: ReportIntent[] = [];
    // Three real failures, 300 ms apart: each is a peer down.
    out.push(...miss(core, 'node-a', 200), ...ok(core, 'node-b', 200), ...ok(core, 'node-c', 200));
    out.push(...miss(core, 'node-a', 300), ...ok(core, 'node-b', 300), ...ok(core, 'node-c', 300));
    out.push(...miss(core, 'node-b', 500), ...ok(core, 'node-c', 500));
    out.push(...miss(core, 'node-b', 600), ...ok(core, 'node-c', 600));
    out.push(...miss(core, 'node-b', 700), ...miss(core, 'node-c', 800), ...miss(core, 'node-c', 900));
    assert.deepEqual(types(out), [
      'compute.host.down node-a',
      'compute.host.down node-b',
      'compute.host.down node-c',
    ]);
  });

  it('calls it isolation when the peers still reachable (two of them) go silent together', () => {
    const { core } = upCore();
    const out: ReportIntent[] = [];
    // node-a fails for real first (the others answer), then the observer's own link fails.
    out.push(...miss(core, 'node-a', 200), ...ok(core, 'node-b', 200), ...ok(core, 'node-c', 200));
    out.push(...miss(core, 'node-a', 300), ...ok(core, 'node-b', 300), ...ok(core, 'node-c', 300));
    for (const t of [500, 600]) out.push(...miss(core, 'node-b', t), ...miss(core, 'node-c', t));
    assert.deepEqual(types(out), ['compute.host.down node-a', 'compute.host.isolated self']);
    assert.deepEqual(out[1]?.extra?.unreachable_peers, ['node-b', 'node-c']);
  });

  it('releases a held down verdict as soon as another peer answers', () => {
    const { core } = upCore();
    const out: ReportIntent[] = [];
    out.push(...miss(core, 'node-a', 200), ...miss(core, 'node-b', 200), ...miss(core, 'node-c', 200));
    out.push(...miss(core, 'node-a', 300));
    assert.equal(out.length, 0, 'node-a is held: the others are missing too');
    out.push(...ok(core, 'node-b', 300));
    assert.deepEqual(types(out), ['compute.host.down node-a']);
  });

  it('decides a held verdict after the hold limit even if the other probers went quiet', () => {
    const { core } = upCore();
    miss(core, 'node-b', 200);
    miss(core, 'node-c', 200);
    miss(core, 'node-a', 200);
    assert.deepEqual(miss(core, 'node-a', 300), []);
    const heldAt = 310; // when node-a's second miss became known
    assert.deepEqual(core.onTick(heldAt + core.holdLimitMs - 1), []);
    assert.deepEqual(types(core.onTick(heldAt + core.holdLimitMs)), ['compute.host.isolated self']);
  });

  it('with one watched peer, blames the peer unless a local NIC is down', () => {
    const one = new MonitorCore('self', settings);
    one.setPeers([peers[0]!], 0);
    ok(one, 'node-a', 0);
    ok(one, 'node-a', 100);
    miss(one, 'node-a', 200);
    assert.deepEqual(types(miss(one, 'node-a', 300)), ['compute.host.down node-a']);

    const nicDown = new MonitorCore('self', settings);
    nicDown.setPeers([peers[0]!], 0);
    ok(nicDown, 'node-a', 0);
    ok(nicDown, 'node-a', 100);
    assert.deepEqual(
      nicDown.onNic('eth0', false, 150, 'down'),
      [],
      'one down reading is below the threshold',
    );
    miss(nicDown, 'node-a', 200);
    assert.deepEqual(types(miss(nicDown, 'node-a', 300)), ['compute.host.isolated self']);
  });

  it('treats peers that never answered since start like reachable ones (a monitor started while cut off)', () => {
    const core = new MonitorCore('self', settings);
    core.setPeers(peers, 0);
    const out: ReportIntent[] = [];
    for (const t of [0, 100]) for (const p of peers) out.push(...miss(core, p.name, t));
    assert.deepEqual(types(out), ['compute.host.isolated self']);
    ok(core, 'node-a', 200);
    assert.deepEqual(types(ok(core, 'node-a', 300)), [
      'compute.host.connected self',
      'compute.host.up node-a',
    ]);
  });

  it('reports the first NIC verdict and every change after the thresholds, with the raw operstate', () => {
    const core = new MonitorCore('self', settings);
    assert.deepEqual(core.onNic('eth0', true, 1, 'up'), []);
    const first = core.onNic('eth0', true, 2, 'up');
    assert.deepEqual(types(first), ['compute.host.nic.up self']);
    assert.equal(first[0]?.interface, 'eth0');
    assert.deepEqual(core.onNic('eth0', true, 3, 'up'), []);
    assert.deepEqual(core.onNic('eth0', false, 4, 'lowerlayerdown'), []);
    const down = core.onNic('eth0', false, 5, 'lowerlayerdown');
    assert.deepEqual(types(down), ['compute.host.nic.down self']);
    assert.equal(down[0]?.extra?.operstate, 'lowerlayerdown');
    core.onNic('eth1', false, 6, 'absent');
    assert.deepEqual(types(core.onNic('eth1', false, 7, 'absent')), ['compute.host.nic.down self']);
  });

  it('does not report a NIC that flaps faster than the thresholds', () => {
    const core = new MonitorCore('self', settings);
    core.onNic('eth0', true, 0, 'up');
    core.onNic('eth0', true, 1, 'up');
    const out: ReportIntent[] = [];
    for (let t = 2; t < 20; t += 2)
      out.push(...core.onNic('eth0', false, t, 'down'), ...core.onNic('eth0', true, t + 1, 'up'));
    assert.deepEqual(out, []);
  });

  it('follows a new peer set: drops removed peers, adds new ones unknown, resets on a new address', () => {
    const { core } = upCore();
    core.setPeers(
      [peers[0]!, { name: 'node-b', address: '198.18.0.33' }, { name: 'node-d', address: '198.18.0.5' }],
      500,
    );
    assert.deepEqual(core.verdicts(), [
      { hostname: 'node-a', status: 'up' },
      { hostname: 'node-b', status: 'up' },
      { hostname: 'node-d', status: 'unknown' },
    ]);
    assert.deepEqual(core.onProbe('node-c', { ok: false, sentAt: 600, at: 610 }), [], 'no longer watched');
    assert.equal(core.watched().find((h) => h.name === 'node-b')?.address, '198.18.0.33');
  });
});
