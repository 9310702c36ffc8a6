// The inspector service with plain in-memory caches: reports become HostHealth status writes and
// remediation calls, once per fault; a storm is held back and reported on the policy.
import assert from 'node:assert/strict';
import type { HostEvent } from '../../../../src/api/events.js';
import type { FaultPolicy, FaultPolicyStatus, HostHealth } from '../../../../src/api/types.js';
import {
  InspectorService,
  maxUnknownHostsLogged,
  observerRefreshMs,
  type HostDownInput,
  type HostRecoveredInput,
} from '../../../../src/operator/inspector-service.js';
import type { CorrelationEngine } from '../../../../src/inspector/engine.js';
import { CoalescingStatusWriter } from '../../../../src/runtime/coalescing-status-writer.js';
import { createLogger } from '../../../../src/observability/logger.js';
import { memoryLogger } from '../../monitor/memory-logger.js';
import { policy } from '../fixtures.js';

function cache<T extends { metadata: { name: string } }>(items: T[]) {
  return { list: () => items, get: (name: string) => items.find((i) => i.metadata.name === name) };
}

function hostHealth(name: string, policyName: string): HostHealth {
  return {
    apiVersion: 'doctor.io/v1alpha1',
    kind: 'HostHealth',
    metadata: { name, uid: `uid-${name}` },
    spec: { policy: policyName, maintenance: { enabled: false } },
    status: { state: 'Unknown', novaHost: `nova-${name}` },
  };
}

function down(host: string, observer: string, time: string): HostEvent {
  return {
    id: `${observer}-${host}-${time}`,
    time,
    type: 'compute.host.down',
    details: {
      hostname: host,
      status: 'down',
      monitor: 'doctor-monitor',
      monitor_event_id: `${observer}-${time}`,
      observer,
    },
  };
}

function heartbeat(observer: string, peers: string[], at = Date.parse('2026-11-25T00:00:00Z')): HostEvent {
  return {
    id: `hb-${observer}-${at}`,
    time: new Date(at).toISOString(),
    type: 'compute.host.heartbeat',
    details: {
      hostname: observer,
      status: 'up',
      monitor: 'doctor-monitor',
      monitor_event_id: `hb-${observer}`,
      observer,
      peers: peers.map((hostname) => ({ hostname, status: 'up' as const })),
    },
  };
}

describe('inspector service', function () {
  let clock: number;
  let writes: [string, Record<string, unknown>][];
  let policyStatus: FaultPolicyStatus;
  let downs: HostDownInput[];
  let recoveries: HostRecoveredInput[];
  let events: string[];
  let recorded: { kind: string; reason: string; message: string }[];
  let service: InspectorService;
  /** Each status write waits on this: tests hold writes back or make them fail. */
  let patchOutcome: () => Promise<void> = () => Promise.resolve();

  function setUp(
    hostNames: string[],
    configure: (p: FaultPolicy) => void = () => undefined,
    status: (h: HostHealth) => void = () => undefined,
    log = createLogger('test', 'error'),
  ) {
    clock = Date.parse('2026-11-25T00:00:00Z');
    writes = [];
    policyStatus = {};
    downs = [];
    recoveries = [];
    events = [];
    recorded = [];
    const p = policy('p', {});
    configure(p);
    const hosts = hostNames.map((n) => hostHealth(n, 'p'));
    hosts.forEach(status);
    service = new InspectorService({
      policies: cache([p]),
      hostHealths: cache(hosts),
      hostStatus: new CoalescingStatusWriter(
        (name, status) => {
          writes.push([name, status]);
          return patchOutcome();
        },
        createLogger('test', 'error'),
        { baseMs: 1, capMs: 2 },
      ),
      updatePolicyStatus: (_name, update) => {
        policyStatus = update(policyStatus);
        return Promise.resolve();
      },
      events: {
        record: (target: { kind: string }, _type: string, reason: string, message: string) => {
          events.push(reason);
          recorded.push({ kind: target.kind, reason, message });
          return Promise.resolve();
        },
      },
      remediation: {
        hostDown: (input) => Promise.resolve(void downs.push(input)),
        hostRecovered: (input) => Promise.resolve(void recoveries.push(input)),
        stop: () => Promise.resolve(),
      },
      log,
      now: () => clock,
    });
    service.start();
  }

  afterEach(() => {
    void service.stop();
    patchOutcome = () => Promise.resolve();
  });

  it('tells how long ago each monitor reported: silent ones counted, Down hosts and unknown reporters left out', async function () {
    setUp(['h1', 'h2', 'h3', 'h4'], undefined, (h) => {
      if (h.metadata.name === 'h4') h.status = { ...h.status, state: 'Down' };
    });
    const start = clock;
    await service.accept([heartbeat('h1', ['h2'], clock)], clock, { kind: 'anonymous', name: 'a' });
    clock += 40_000;
    await service.accept([heartbeat('h2', ['h3'], clock)], clock, {
      kind: 'monitor',
      name: 'm',
      observer: 'h2',
    });
    // A made-up reporter is not remembered: it cannot grow the operator.
    await service.accept([heartbeat('nobody', [], clock)], clock, { kind: 'anonymous', name: 'x' });
    clock += 1_000;
    // h1 heard 41 s ago, h3 never (counted from the start of leading), h4 is Down: left out.
    assert.deepEqual(
      [...service.monitorHeartbeats()],
      [['p', { oldestAgeSeconds: (clock - start) / 1000, silent: 2 }]],
    );
    assert.deepEqual([...service.stormHeld()], [['p', 0]]);
  });

  it('is quiet until an engine decides something, and again 30 s after its last decision', async function () {
    setUp(['h1', 'h2', 'h3']);
    clock += 30_000;
    assert.equal(service.quietFor(30_000), true, 'quiet before any decision');
    // A first heartbeat makes its hosts Healthy: decisions.
    await service.accept([heartbeat('h1', ['h2'], clock)], clock, { kind: 'anonymous', name: 'a' });
    assert.equal(service.quietFor(30_000), false);
    clock += 29_999;
    assert.equal(service.quietFor(30_000), false);
    // The same report again decides nothing: the quiet time still runs from the last decision.
    await service.accept([heartbeat('h1', ['h2'], clock)], clock, { kind: 'anonymous', name: 'a' });
    clock += 1;
    assert.equal(service.quietFor(30_000), true);
  });

  it('settles a report only once the Down it caused is written to status, and rejects when that write is refused', async function () {
    setUp(['h1', 'h2', 'h3'], (p) => {
      p.spec.detection.quorum = 1;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    patchOutcome = () => gate;
    let settled = false;
    const accepted = Promise.resolve(
      service.accept([down('h1', 'h2', new Date(clock).toISOString())], clock, {
        kind: 'anonymous',
        name: 'a',
      }),
    ).then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, false, 'not settled while the Down write is in flight');
    assert.ok(writes.some(([name, s]) => name === 'h1' && s.state === 'Down'));
    release();
    await accepted;
    assert.equal(settled, true);

    // A write the API server refuses for good (the HostHealth is gone) rejects; others are retried.
    patchOutcome = () => Promise.reject(Object.assign(new Error('HostHealth h2 unreachable'), { code: 404 }));
    clock += 100;
    await assert.rejects(
      Promise.resolve(
        service.accept([down('h2', 'h3', new Date(clock).toISOString())], clock, {
          kind: 'anonymous',
          name: 'a',
        }),
      ),
      /unreachable/,
    );
  });

  it('a new leader resumes a recovery that a former leader left unfinished, and only that', function () {
    const running = { state: 'Running' as const, attempts: 1 };
    const done = { state: 'Done' as const, attempts: 1 };
    setUp(['h1', 'h2', 'h3'], undefined, (h) => {
      const name = h.metadata.name;
      h.status = {
        ...h.status,
        state: 'Healthy',
        lastTransitionTime: '2026-11-25T00:00:00Z',
        remediation:
          name === 'h1'
            ? { faultId: 'f1', forceDown: done, unforce: running, untaint: done }
            : name === 'h2'
              ? { faultId: 'f2', unforce: done, untaint: done, notifyUp: { state: 'Skipped' } }
              : undefined,
      };
    });
    assert.deepEqual(
      recoveries.map((r) => [r.node, r.decision.faultId]),
      [['h1', 'f1']],
    );
  });

  it('spends no snapshot and gives nothing to wait for on a heartbeat that repeats its verdicts', async function () {
    setUp(['h1', 'h2', 'h3']);
    const me = { kind: 'anonymous' as const, name: 'a' };
    const { engine } = (
      service as unknown as { engines: Map<string, { engine: CorrelationEngine }> }
    ).engines.get('p')!;
    let snapshots = 0;
    const snapshot = engine.snapshot.bind(engine);
    engine.snapshot = (host) => (snapshots++, snapshot(host));
    const beat = (statusOf: 'up' | 'down') => {
      const event = heartbeat('h2', ['h1', 'h3'], clock);
      event.details.peers = [
        { hostname: 'h1', status: statusOf },
        { hostname: 'h3', status: 'up' },
      ];
      return service.accept([event], clock, me);
    };
    await beat('up');
    await new Promise((r) => setTimeout(r, 5));
    const written = writes.length;
    assert.ok(written > 0, 'the first heartbeat makes its hosts Healthy');
    for (let i = 0; i < 5; i++) {
      clock += 5_000;
      snapshots = 0;
      assert.equal(beat('up'), undefined, 'nothing decided: the answer need not wait');
      assert.equal(snapshots, 0, 'no snapshot of an unchanged host');
    }
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(writes.length, written, 'no status write for repeated verdicts');
    clock += 5_000;
    await beat('down');
    await new Promise((r) => setTimeout(r, 5));
    assert.ok(snapshots > 0, 'a changed verdict is looked at');
    const h1 = writes.slice(written).filter(([name]) => name === 'h1');
    assert.ok(
      h1.some(([, s]) => (s.observers as { reachable: boolean }[] | undefined)?.[0]?.reachable === false),
      'and written',
    );
  });

  it('writes observer lists when something moved, and repeats unchanged ones only every few minutes', async function () {
    setUp(['h1', 'h2', 'h3']);
    const me = { kind: 'anonymous' as const, name: 'a' };
    const observerWrites = () => writes.filter(([name, s]) => name === 'h1' && 'observers' in s).length;
    const start = clock;
    const beat = async (statusOf: 'up' | 'down') => {
      const event = heartbeat('h2', ['h1'], clock);
      event.details.peers = [{ hostname: 'h1', status: statusOf }];
      await service.accept([event], clock, me);
      await new Promise((r) => setTimeout(r, 5));
    };
    await beat('up');
    const first = observerWrites();
    assert.ok(first >= 1, 'the first report is written');
    // A heartbeat every 10 s that repeats the same verdict: nothing to write until the refresh is due.
    while (clock + 10_000 < start + observerRefreshMs) {
      clock += 10_000;
      await beat('up');
    }
    assert.equal(observerWrites(), first, 'an unchanged observer list is not rewritten');
    clock = start + observerRefreshMs;
    await beat('up');
    assert.equal(observerWrites(), first + 1, 'lastReportTime is refreshed once the period is over');
    clock += 1_000;
    await beat('down');
    const last = writes.filter(([name, s]) => name === 'h1' && 'observers' in s).at(-1)![1];
    assert.equal(
      (last.observers as { reachable: boolean }[])[0]!.reachable,
      false,
      'a change is written at once',
    );
  });

  it('declares a host Down on quorum, writes its timeline and remediates once', async function () {
    setUp(['h1', 'h2', 'h3', 'h4', 'h5']);
    // Heartbeats tell the inspector who watches h1, so one observer's report is not a quorum.
    void service.accept([heartbeat('h2', ['h1']), heartbeat('h3', ['h1'])], clock, {
      kind: 'anonymous',
      name: 'a',
    });
    clock += 100;
    const at = new Date(clock).toISOString();
    void service.accept([down('h1', 'h2', at)], clock, { kind: 'anonymous', name: 'a' });
    assert.equal(downs.length, 0, 'one observer of the default quorum 2 is not enough');
    clock += 100;
    void service.accept([down('h1', 'h3', new Date(clock).toISOString())], clock, {
      kind: 'anonymous',
      name: 'a',
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(downs.length, 1);
    assert.equal(downs[0]!.node, 'h1');
    assert.equal(downs[0]!.novaHost, 'nova-h1');
    const downWrite = writes.find(([name, s]) => name === 'h1' && s.state === 'Down');
    assert.ok(downWrite, JSON.stringify(writes));
    const timeline = downWrite[1].timeline as Record<string, string | null>;
    assert.equal(timeline.faultId, downs[0]!.decision.faultId);
    assert.ok(timeline.T01 && timeline.T02 && timeline.T03);
    assert.equal(timeline.T05, null, 'a new fault clears the later points of the previous one');
    assert.ok(events.includes('HostDown'));

    clock += 100;
    void service.accept([down('h1', 'h3', new Date(clock).toISOString())], clock, {
      kind: 'anonymous',
      name: 'a',
    });
    assert.equal(downs.length, 1, 'the same evidence again changes nothing');
  });

  it('calls remediation in the turn that declared the host Down, and writes status and Events only after it', async function () {
    setUp(['h1', 'h2', 'h3'], (p) => {
      p.spec.detection.quorum = 1;
    });
    const accepted = service.accept([down('h1', 'h2', new Date(clock).toISOString())], clock, {
      kind: 'anonymous',
      name: 'a',
    });
    assert.equal(downs.length, 1, 'remediation is called at once');
    await Promise.resolve();
    assert.equal(writes.length, 0, 'no status write starts in that turn');
    assert.equal(events.length, 0, 'no Event starts in that turn');
    await accepted;
    const h1 = writes.filter(([name]) => name === 'h1');
    assert.equal(h1.length, 1, 'the Down and the state change of one turn are one patch');
    assert.equal(h1[0]![1].state, 'Down');
    assert.ok(events.includes('HostDown'));
  });

  it('records the one HostDown Event of a fault on the HostHealth and the Node, also when the policy is paused', async function () {
    setUp(['h1', 'h2', 'h3'], (p) => {
      p.spec.detection.quorum = 1;
      p.spec.paused = true;
    });
    await service.accept([down('h1', 'h2', new Date(clock).toISOString())], clock, {
      kind: 'anonymous',
      name: 'a',
    });
    assert.equal(downs.length, 0, 'a paused policy does not remediate');
    const hostDown = recorded.filter((e) => e.reason === 'HostDown');
    assert.deepEqual(
      hostDown.map((e) => e.kind),
      ['HostHealth', 'Node'],
    );
    assert.match(
      hostDown[0]!.message,
      /^Host h1 \(Nova host nova-h1\) is down, fault .+; policy paused, no remediation$/,
    );
  });

  it('holds back a storm beyond maxUnhealthy and says so on the policy', async function () {
    setUp(['h1', 'h2', 'h3', 'h4', 'h5'], (p) => {
      p.spec.detection.quorum = 1;
      p.spec.protection.maxUnhealthy = 1;
    });
    const at = new Date(clock).toISOString();
    void service.accept([down('h1', 'h5', at), down('h2', 'h5', at), down('h3', 'h4', at)], clock, {
      kind: 'anonymous',
      name: 'a',
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(downs.length, 0);
    const storm = policyStatus.conditions?.find((c) => c.type === 'StormActive');
    assert.equal(storm?.status, 'True');
    assert.match(storm?.message ?? '', /h1, h2, h3/);
    assert.ok(events.includes('StormActive'));
  });

  it('records the held hosts on the policy and removes them when the storm ends', async function () {
    setUp(['h1', 'h2', 'h3', 'h4', 'h5'], (p) => {
      p.spec.detection.quorum = 1;
      p.spec.protection.maxUnhealthy = 1;
    });
    const me = { kind: 'anonymous' as const, name: 'a' };
    const at = new Date(clock).toISOString();
    await service.accept([down('h1', 'h5', at), down('h2', 'h5', at)], clock, me);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(policyStatus.stormHeldHosts, ['h1', 'h2']);
    clock += 10;
    const up = [heartbeat('h5', ['h1', 'h2'], clock)];
    await service.accept(up, clock, me);
    await new Promise((r) => setImmediate(r));
    assert.equal(policyStatus.conditions?.find((c) => c.type === 'StormActive')?.status, 'False');
    assert.equal('stormHeldHosts' in policyStatus, false);
  });

  it('a new leader ends a storm its predecessor recorded once the held hosts are reported up', async function () {
    const stormActive = {
      type: 'StormActive',
      status: 'True' as const,
      reason: 'TooManyUnhealthy',
      message: 'storm guard: acting on none of: h1, h2',
      lastTransitionTime: '2026-11-24T23:59:00Z',
    };
    setUp(
      ['h1', 'h2', 'h3', 'h4', 'h5'],
      (p) => {
        p.spec.protection.maxUnhealthy = 1;
        p.status = { conditions: [stormActive], stormHeldHosts: ['h1', 'h2'] };
      },
      (h) => {
        if (h.metadata.name !== 'h1' && h.metadata.name !== 'h2') return;
        const lastReportTime = '2026-11-24T23:59:00Z';
        h.status = {
          ...h.status,
          state: 'Suspect',
          observers: ['h4', 'h5'].map((node) => ({ node, reachable: false, lastReportTime })),
        };
      },
    );
    const me = { kind: 'anonymous' as const, name: 'a' };
    // Before the held hosts' observers speak again, other reports neither end nor re-announce the storm.
    await service.accept([heartbeat('h1', ['h2', 'h3'], clock)], clock, me);
    assert.equal(policyStatus.conditions?.length ?? 0, 0, 'no condition written yet');
    clock += 10;
    await service.accept(
      [heartbeat('h4', ['h1', 'h2'], clock), heartbeat('h5', ['h1', 'h2'], clock)],
      clock,
      me,
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(policyStatus.conditions?.find((c) => c.type === 'StormActive')?.status, 'False');
    assert.deepEqual(events, [], 'no second StormActive Event');
  });

  it('a new leader ends a recorded storm none of whose held hosts is monitored any more', async function () {
    setUp(['h1', 'h2', 'h3'], (p) => {
      p.status = {
        conditions: [
          {
            type: 'StormActive',
            status: 'True',
            reason: 'TooManyUnhealthy',
            message: 'storm guard: acting on none of: gone',
            lastTransitionTime: '2026-11-24T23:59:00Z',
          },
        ],
        stormHeldHosts: ['gone'],
      };
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(policyStatus.conditions?.find((c) => c.type === 'StormActive')?.status, 'False');
  });

  it('ignores reports about hosts no policy monitors and stops accepting when stopped', function () {
    setUp(['h1', 'h2']);
    void service.accept([down('elsewhere', 'h1', new Date(clock).toISOString())], clock, {
      kind: 'anonymous',
      name: 'a',
    });
    assert.equal(writes.length, 0);
    void service.stop();
    assert.equal(service.accepting(), false);
  });

  it('logs reports about unknown hosts once per host, and remembers a bounded number of them', async function () {
    const { logger, lines } = memoryLogger();
    setUp(['h1'], () => undefined, undefined, logger);
    const ignored = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) =>
        down(`made-up-${from + i}`, 'h1', new Date(clock).toISOString()),
      );
    void service.accept(ignored(0, 3), clock, { kind: 'anonymous', name: 'a' });
    void service.accept(ignored(0, 3), clock, { kind: 'anonymous', name: 'a' });
    void service.accept(ignored(3, 2 * maxUnknownHostsLogged), clock, { kind: 'anonymous', name: 'a' });
    await new Promise((r) => setImmediate(r));
    const logged = lines.filter((l) =>
      String(l.message).startsWith('report about a host no policy monitors'),
    );
    assert.equal(logged.length, maxUnknownHostsLogged);
  });

  it('shows a configured interface missing on a node as a condition and a Warning, never as a fault', async function () {
    setUp(['h1', 'h2', 'h3']);
    const nic = (type: string, status: string, at: number): HostEvent => ({
      id: `${type}-${at}`,
      time: new Date(at).toISOString(),
      type,
      details: {
        hostname: 'h1',
        status,
        monitor: 'doctor-monitor',
        monitor_event_id: `${at}`,
        observer: 'h1',
        interface: 'eth7',
      },
    });
    const me = { kind: 'monitor' as const, name: 'sa', observer: 'h1' };
    // The monitor finds the interface does not exist, and says so again (a retry).
    void service.accept([nic('compute.host.nic.missing', 'missing', clock)], clock, me);
    clock += 100;
    void service.accept([nic('compute.host.nic.missing', 'missing', clock)], clock, me);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      events.filter((e) => e.startsWith('Interface')),
      ['InterfaceMissing'],
      'once per change',
    );
    const condition = (
      writes.findLast(([name, st]) => name === 'h1' && st.conditions)?.[1].conditions as
        { type: string; status: string; reason: string; message: string }[] | undefined
    )?.find((c) => c.type === 'InterfacesPresent');
    assert.equal(condition?.status, 'False');
    assert.match(condition?.message ?? '', /eth7/);
    clock += 5_000;
    void service.accept([], clock, me);
    await new Promise((r) => setImmediate(r));
    assert.equal(downs.length, 0, 'no fault for a configuration error');
    assert.ok(!writes.some(([name, st]) => name === 'h1' && st.state === 'Down'));

    void service.accept([nic('compute.host.nic.present', 'present', clock)], clock, me);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      events.filter((e) => e.startsWith('Interface')),
      ['InterfaceMissing', 'InterfacePresent'],
    );
    const cleared = (
      writes.findLast(([name, st]) => name === 'h1' && st.conditions)?.[1].conditions as
        { type: string; status: string }[] | undefined
    )?.find((c) => c.type === 'InterfacesPresent');
    assert.equal(cleared?.status, 'True');
  });
});

describe('observer assignment', function () {
  it('matches the ring the monitors use', async function () {
    const { observersOf } = await import('../../../../src/contracts/observer-ring.js');
    const { observerAssignment } = await import('../../../../src/operator/inspector-service.js');
    const names = Array.from({ length: 9 }, (_, i) => `node-${i}`);
    const assignment = observerAssignment(names, 3);
    for (const name of names) {
      assert.deepEqual(
        assignment[name],
        observersOf(
          names.map((n) => ({ name: n })),
          name,
          3,
        ).map((h) => h.name),
      );
    }
  });
});
