// The monitor against real ICMP: five simulated hosts (network namespaces on a bridge, 198.18.0.0/15),
// a real monitor process in each, started with `ip netns exec`, reporting over a separate management
// network to a receiver in the root namespace. Faults are real link changes.
import assert from 'node:assert/strict';
import type { HostEvent } from '../../../src/api/events.js';
import { observersOf, watchedBy } from '../../../src/contracts/observer-ring.js';
import { EventReceiver, epochMs } from '../../../tools/testbed/event-receiver.js';
import { MonitorFleet, type FleetSettings } from '../../../tools/testbed/monitor-fleet.js';
import { childPids, isAlive } from '../../../tools/testbed/processes.js';
import { createTestbed, type NicSwitch, type Testbed } from '../../../tools/testbed/testbed.js';

const settings: FleetSettings = {
  inspectorUrl: '', // set once the receiver listens
  intervalMilliseconds: 100,
  timeoutMilliseconds: 20,
  failureThreshold: 2,
  successThreshold: 2,
  peers: 3,
  interfaces: ['eth0'],
  heartbeatSeconds: 2,
  deliveryTimeoutMilliseconds: 500,
  maxBackoffMilliseconds: 1000,
};
const target = settings.intervalMilliseconds * settings.failureThreshold + 50;
// Timing is the behaviour under test, but this machine is shared: assert a generous bound and log the
// measured value against the target (the benchmark measures p50/p99 properly).
const generousBound = 2 * target;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const note = (text: string): void => void process.stdout.write(`      · ${text}\n`);

describe('monitor on network namespaces (real ICMP)', function () {
  this.timeout(60_000);
  let bed: Testbed | undefined;
  let receiver: EventReceiver | undefined;
  let fleet: MonitorFleet | undefined;
  const switches = new Map<string, NicSwitch>();
  let names: string[] = [];

  const hostsList = (): Array<{ name: string }> => names.map((name) => ({ name }));
  const is =
    (type: string, hostname: string, observer?: string) =>
    (e: HostEvent): boolean =>
      e.type === type &&
      e.details.hostname === hostname &&
      (observer === undefined || e.details.observer === observer);

  /** The latest state each monitor reported about each of its peers is "up", and nobody is isolated. */
  async function settle(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending: string[] = [];
      for (const observer of names) {
        if (fleet?.monitors.get(observer)?.child.exitCode !== null) continue; // stopped by a test
        const mine = receiver!.received
          .filter((r) => r.event.details.observer === observer)
          .map((r) => r.event);
        for (const peer of watchedBy(hostsList(), observer, settings.peers)) {
          const last = mine
            .filter(
              (e) =>
                e.details.hostname === peer.name &&
                e.type.startsWith('compute.host.') &&
                /\.(up|down)$/.test(e.type) &&
                !e.type.includes('.nic.'),
            )
            .at(-1);
          if (last?.type !== 'compute.host.up') pending.push(`${observer}>${peer.name}`);
        }
        const iso = mine
          .filter((e) => e.type === 'compute.host.isolated' || e.type === 'compute.host.connected')
          .at(-1);
        if (iso?.type === 'compute.host.isolated') pending.push(`${observer} isolated`);
      }
      if (pending.length === 0) return;
      if (Date.now() > deadline) throw new Error(`test bed did not settle: ${pending.join(', ')}`);
      await sleep(100);
    }
  }

  before(async function () {
    this.timeout(120_000);
    try {
      bed = await createTestbed({ hosts: 5, managementNetwork: true });
    } catch (err) {
      throw new Error(
        `cannot build the network-namespace test bed (root and iproute2 are needed): ${(err as Error).message}`,
        { cause: err },
      );
    }
    names = bed.hosts.map((h) => h.name);
    receiver = await EventReceiver.start(bed.receiverAddress);
    for (const name of names) switches.set(name, bed.nicSwitch(name));
    fleet = new MonitorFleet(bed, { ...settings, inspectorUrl: receiver.url });
    fleet.start();
    await fleet.waitStarted();
    await settle();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && fleet) {
      for (const proc of fleet.monitors.values()) {
        const lines = proc.logs.filter((l) => l.level !== 'info').slice(-8);
        note(`${proc.host}: ${JSON.stringify(lines)} ${proc.rawOutput.slice(-3).join(' | ')}`);
      }
    }
    // Leave the bed healthy for the next test, whatever happened.
    if (bed) {
      for (const name of names) {
        switches.get(name)?.set('up');
        await bed.setSwitchPort(name, 'up');
      }
      await bed.setReceiverPath('up');
      fleet?.update({ interfaces: settings.interfaces });
      if (this.currentTest?.state === 'passed') await settle();
    }
  });

  after(async function () {
    this.timeout(60_000);
    for (const sw of switches.values()) sw.close();
    await fleet?.stop();
    fleet?.cleanup();
    await receiver?.close();
    await bed?.destroy();
  });

  it('reports a host whose link goes down from each of its observers, and up after successThreshold replies', async () => {
    const host = 'node-3';
    const observers = observersOf(hostsList(), host, settings.peers).map((h) => h.name);
    const mark = receiver!.received.length;
    const t0 = epochMs();
    switches.get(host)!.set('down');
    for (const observer of observers) {
      const got = await receiver!.waitFor(is('compute.host.down', host, observer), 5000, mark);
      const latency = got.at - t0;
      note(`${observer} reported ${host} down after ${latency.toFixed(1)} ms (target ${target} ms)`);
      assert.ok(latency <= generousBound, `${latency} ms`);
      assert.equal(got.event.details.address, bed!.host(host).address);
      assert.equal(got.event.details.status, 'down');
      assert.equal(typeof got.event.details.rtt_ms, 'number');
    }
    await sleep(300);
    const wrong = receiver!.received
      .slice(mark)
      .filter((r) => r.event.type === 'compute.host.down' && r.event.details.hostname !== host);
    assert.deepEqual(wrong, [], 'no other host was reported down');

    const upMark = receiver!.received.length;
    const t1 = epochMs();
    switches.get(host)!.set('up');
    for (const observer of observers) {
      const got = await receiver!.waitFor(is('compute.host.up', host, observer), 5000, upMark);
      const latency = got.at - t1;
      note(
        `${observer} reported ${host} up after ${latency.toFixed(1)} ms (${settings.successThreshold} replies needed)`,
      );
      assert.equal(got.event.details.replies, settings.successThreshold);
      // The second reply comes one probe interval after the first.
      assert.ok(
        latency >= 0.8 * settings.intervalMilliseconds * (settings.successThreshold - 1),
        `${latency} ms`,
      );
      assert.ok(latency <= generousBound + settings.intervalMilliseconds, `${latency} ms`);
    }
  });

  it('reports compute.host.nic.down about its own node when a monitored NIC goes down', async () => {
    const host = 'node-2';
    const mark = receiver!.received.length;
    switches.get(host)!.set('down');
    const down = await receiver!.waitFor(is('compute.host.nic.down', host, host), 5000, mark);
    assert.equal(down.event.details.interface, 'eth0');
    assert.equal(down.event.details.operstate, 'down');
    switches.get(host)!.set('up');
    const up = await receiver!.waitFor(is('compute.host.nic.up', host, host), 5000, mark);
    assert.equal(up.event.details.operstate, 'up');
  });

  it('an observer whose own link goes down reports itself isolated and no peer down', async () => {
    const host = 'node-1';
    const mark = receiver!.received.length;
    switches.get(host)!.set('down');
    const iso = await receiver!.waitFor(is('compute.host.isolated', host, host), 5000, mark);
    assert.deepEqual(
      iso.event.details.unreachable_peers,
      watchedBy(hostsList(), host, settings.peers)
        .map((h) => h.name)
        .sort(),
    );
    await sleep(500);
    const blamed = receiver!.received
      .slice(mark)
      .filter((r) => r.event.type === 'compute.host.down' && r.event.details.observer === host);
    assert.deepEqual(blamed, [], 'the isolated observer blamed no peer');
    switches.get(host)!.set('up');
    await receiver!.waitFor(is('compute.host.connected', host, host), 5000, mark);
  });

  it('also tells isolation from all peers vanishing at once when no NIC is watched (cable pulled at the switch)', async () => {
    const host = 'node-4';
    const monitor = fleet!.monitors.get(host)!;
    const fpingBefore = childPids(monitor.child.pid!);
    fleet!.update({ interfaces: [] });
    await sleep(1500); // the monitors poll their config every second
    const reload = monitor.logs.filter((l) => l.message === 'configuration applied');
    assert.ok(reload.length >= 1, 'the monitor applied the new configuration');
    assert.equal(monitor.logs.filter((l) => l.message === 'monitor started').length, 1, 'without a restart');
    assert.deepEqual(childPids(monitor.child.pid!), fpingBefore, 'and without restarting its probes');
    assert.equal(fpingBefore.length, 1, 'one fping probes every peer');
    const mark = receiver!.received.length;
    await bed!.setSwitchPort(host, 'down');
    const iso = await receiver!.waitFor(is('compute.host.isolated', host, host), 5000, mark);
    assert.equal(iso.event.details.nic_down, false);
    await sleep(500);
    const blamed = receiver!.received
      .slice(mark)
      .filter((r) => r.event.type === 'compute.host.down' && r.event.details.observer === host);
    assert.deepEqual(blamed, []);
    await bed!.setSwitchPort(host, 'up');
    await receiver!.waitFor(is('compute.host.connected', host, host), 5000, mark);
    // Watch eth0 again; every monitor reports the NIC's first verdict anew.
    fleet!.update({ interfaces: settings.interfaces });
    for (const name of names) await receiver!.waitFor(is('compute.host.nic.up', name, name), 5000, mark);
  });

  it('a link flapping faster than the thresholds produces no report', async () => {
    const host = 'node-4';
    // A 20 ms reply timeout turns a reply delayed by a loaded CI machine into a second miss; the rule
    // under test is about consecutive misses, so give replies room (each outage still costs one probe).
    fleet!.update({ timeoutMilliseconds: 80 });
    await sleep(2_500); // monitors re-read their configuration every second
    const mark = receiver!.received.length;
    const sw = switches.get(host)!;
    // Down for 50 ms (at most one probe lost, at most one NIC reading down), up for 350 ms, six times.
    const outages: number[] = [];
    for (let i = 0; i < 6; i++) {
      const down = epochMs();
      sw.set('down');
      await sleep(50);
      sw.set('up');
      outages.push(epochMs() - down);
      await sleep(350);
    }
    note(`outages ${outages.map((o) => o.toFixed(0)).join(', ')} ms`);
    await sleep(1000);
    fleet!.update({ timeoutMilliseconds: settings.timeoutMilliseconds });
    await sleep(2_500);
    const reports = receiver!.received.slice(mark).filter((r) => r.event.type !== 'compute.host.heartbeat');
    assert.deepEqual(
      reports.map((r) => `${r.event.type} ${r.event.details.hostname} by ${r.event.details.observer}`),
      [],
    );
  });

  it('delivers the latest state of every peer when the receiver returns after 10 s away', async () => {
    const flapped = 'node-2'; // down and up again during the outage: its observers end with "up"
    const failed = 'node-5'; // down during the outage and still down
    await bed!.setReceiverPath('down');
    const cut = epochMs();
    await sleep(1000);
    switches.get(flapped)!.set('down');
    await sleep(2500);
    switches.get(flapped)!.set('up');
    await sleep(2000);
    switches.get(failed)!.set('down');
    await sleep(cut + 10_000 - epochMs());
    const mark = receiver!.received.length;
    const restored = epochMs();
    await bed!.setReceiverPath('up');
    assert.deepEqual(
      receiver!.received.filter((r) => r.at > cut + 50 && r.at < restored),
      [],
      'nothing got through during the outage',
    );
    for (const observer of observersOf(hostsList(), failed, settings.peers).map((h) => h.name)) {
      const got = await receiver!.waitFor(is('compute.host.down', failed, observer), 8000, mark);
      note(
        `${observer}: ${failed} down delivered ${(got.at - restored).toFixed(0)} ms after the receiver came back`,
      );
    }
    for (const observer of observersOf(hostsList(), flapped, settings.peers).map((h) => h.name)) {
      await receiver!.waitFor(is('compute.host.up', flapped, observer), 8000, mark);
      const stale = receiver!.received
        .slice(mark)
        .filter((r) => is('compute.host.down', flapped, observer)(r.event));
      assert.deepEqual(stale, [], `the superseded down of ${flapped} from ${observer} was not replayed`);
    }
    // The failed host reported its own isolation over the management network.
    await receiver!.waitFor(is('compute.host.isolated', failed, failed), 8000, mark);
    // Heartbeats carry the verdicts too.
    const observer = observersOf(hostsList(), failed, settings.peers)[0]!.name;
    const hb = await receiver!.waitFor(
      (e) =>
        e.type === 'compute.host.heartbeat' &&
        e.details.hostname === observer &&
        (e.details.peers ?? []).some((p) => p.hostname === failed && p.status === 'down'),
      8000,
      mark,
    );
    assert.equal(hb.event.details.status, 'up');
  });

  it('posts exactly the Doctor body with the bearer token', async () => {
    const host = 'node-3';
    const requestMark = receiver!.requests.length;
    const mark = receiver!.received.length;
    switches.get(host)!.set('down');
    const observer = observersOf(hostsList(), host, settings.peers)[0]!.name;
    const got = await receiver!.waitFor(is('compute.host.down', host, observer), 5000, mark);
    const request = receiver!.requests
      .slice(requestMark)
      .find((r) => r.raw.includes(got.event.details.monitor_event_id));
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/events');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers.authorization, `Bearer ${fleet!.token}`);
    const body = JSON.parse(request.raw) as unknown[];
    assert.ok(Array.isArray(body));
    const event = body.find((e) => (e as HostEvent).id === got.event.id) as HostEvent;
    assert.deepEqual(Object.keys(event).sort(), ['details', 'id', 'time', 'type']);
    assert.match(event.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    assert.equal(event.type, 'compute.host.down');
    assert.deepEqual(Object.keys(event.details).sort(), [
      'address',
      'hostname',
      'missed_probes',
      'missing_since',
      'monitor',
      'monitor_event_id',
      'observer',
      'rtt_ms',
      'status',
    ]);
    assert.deepEqual(
      { ...event.details, monitor_event_id: undefined, rtt_ms: undefined, missing_since: undefined },
      {
        hostname: host,
        status: 'down',
        monitor: 'doctor-monitor',
        monitor_event_id: undefined,
        observer,
        address: bed!.host(host).address,
        rtt_ms: undefined,
        missed_probes: settings.failureThreshold,
        missing_since: undefined,
      },
    );
    assert.match(event.details.monitor_event_id, new RegExp(`^${observer}-[0-9a-z]+-\\d+$`));
    // Detection time is before arrival, and close to it.
    const detected = Date.parse(`${event.time}Z`);
    assert.ok(detected <= got.at + 1 && got.at - detected < 1000, `${detected} vs ${got.at}`);
  });

  it('on SIGTERM stops its fping process and flushes a pending report before exiting', async () => {
    const host = 'node-2';
    const monitor = fleet!.monitors.get(host)!;
    const pings = childPids(monitor.child.pid!);
    assert.equal(pings.length, 1, 'one fping probes every peer');
    const peer = watchedBy(hostsList(), host, settings.peers)[0]!.name;
    // A report that cannot be delivered yet...
    await bed!.setReceiverPath('down');
    const mark = receiver!.received.length;
    switches.get(peer)!.set('down');
    await sleep(600);
    // ...is still delivered when the receiver returns during the shutdown flush.
    monitor.child.kill('SIGTERM');
    await sleep(200);
    await bed!.setReceiverPath('up');
    const code = await monitor.exit;
    assert.equal(code, 0);
    assert.ok(receiver!.received.slice(mark).some((r) => is('compute.host.down', peer, host)(r.event)));
    assert.deepEqual(pings.filter(isAlive), [], 'fping does not outlive the monitor');
    assert.ok(monitor.logs.some((l) => l.message === 'monitor stopped' && l.undeliveredReports === 0));
  });
});
