import assert from 'node:assert/strict';
import type { HostHealth } from '../../../src/api/types.js';
import { createCorrelationEngine } from '../../../src/inspector/engine.js';
import { faultId } from '../../../src/inspector/fault-id.js';
import { persistedFromHostHealth } from '../../../src/inspector/restore.js';
import { down, engineConfig, heartbeat, kinds, nicUp, only, t0, up } from './events-fixture.js';

const hosts = ['a', 'b', 'c', 'x'];

describe('correlation engine restore', function () {
  it('derives the same fault id from the same evidence in another engine', function () {
    const first = createCorrelationEngine(engineConfig(hosts));
    const second = createCorrelationEngine(engineConfig(hosts));
    const reports = [down('x', 'a', t0), down('x', 'b', t0 + 40)];
    const one = only(first.observe(reports, t0 + 50), 'hostDown')[0];
    const two = only(second.observe(reports, t0 + 9_000), 'hostDown')[0];
    assert.equal(one?.faultId, faultId('x', t0));
    assert.equal(two?.faultId, one?.faultId);
  });

  it('a restarted engine keeps a Down host Down and does not re-declare it when reports come again', function () {
    const first = createCorrelationEngine(engineConfig(hosts));
    const reports = [up('x', 'c', t0), down('x', 'a', t0 + 10), down('x', 'b', t0 + 20)];
    first.observe(reports, t0 + 30);
    const before = first.snapshot('x');
    assert.equal(before?.state, 'Down');

    const second = createCorrelationEngine(engineConfig(hosts));
    second.restore(first.snapshots(), t0 + 60_000);
    assert.deepEqual(second.snapshot('x')?.fault, before?.fault);
    assert.equal(second.snapshot('x')?.state, 'Down');
    assert.deepEqual(second.tick(t0 + 60_000), []);
    assert.deepEqual(second.observe(reports, t0 + 60_100), []);
    // Recovery closes the original fault.
    const recovering = second.observe([up('x', 'a', t0 + 61_000), up('x', 'b', t0 + 61_000)], t0 + 61_000);
    assert.equal(only(recovering, 'hostRecovering')[0]?.faultId, before?.fault?.id);
    const healthy = second.tick(t0 + 91_000);
    assert.equal(only(healthy, 'hostHealthy')[0]?.faultId, before?.fault?.id);
  });

  it('restores the observers that existed, so quorum is not capped low before they speak', function () {
    const first = createCorrelationEngine(engineConfig(hosts));
    first.observe([up('x', 'a', t0), up('x', 'b', t0), up('x', 'c', t0)], t0);
    const second = createCorrelationEngine(engineConfig(hosts));
    second.restore(first.snapshots(), t0 + 1000);
    assert.equal(second.snapshot('x')?.effectiveQuorum, 2);
    assert.equal(second.snapshot('x')?.state, 'Healthy');
    assert.deepEqual(only(second.observe([down('x', 'a', t0 + 2000)], t0 + 2000), 'hostDown'), []);
    assert.equal(second.snapshot('x')?.state, 'Suspect');
  });

  it('a Recovering host restarts its recovery clock when the start was not recorded', function () {
    const second = createCorrelationEngine(engineConfig(hosts));
    second.restore(
      [
        {
          host: 'x',
          state: 'Recovering',
          fault: {
            id: 'f1',
            cause: 'quorum',
            evidence: ['a', 'b'],
            reason: 'r',
            detectedAt: new Date(t0).toISOString(),
            firstReportReceivedAt: new Date(t0).toISOString(),
            declaredAt: new Date(t0).toISOString(),
          },
        },
      ],
      t0 + 100_000,
    );
    assert.deepEqual(second.tick(t0 + 129_999), []);
    assert.deepEqual(kinds(second.tick(t0 + 130_000)), ['hostHealthy:x', 'x:Recovering->Unknown']);
  });

  it('keeps a Down host Down even when status lost its fault record', function () {
    const second = createCorrelationEngine(engineConfig(hosts));
    second.restore([{ host: 'x', state: 'Down' }], t0);
    assert.equal(second.snapshot('x')?.fault?.id, faultId('x', t0));
    assert.deepEqual(second.tick(t0 + 1), []);
  });

  it('restores the storm and does not announce it again', function () {
    const second = createCorrelationEngine(engineConfig(hosts, { protection: { maxUnhealthy: 0 } }));
    second.restore([{ host: 'x', state: 'Suspect' }], t0, ['x']);
    assert.deepEqual(second.stormHosts(), ['x']);
    const decisions = second.observe([down('x', 'a', t0 + 1), down('x', 'b', t0 + 1)], t0 + 1);
    assert.deepEqual(kinds(decisions), []);
  });

  describe('with storm-held hosts', function () {
    const config = () => engineConfig(hosts, { protection: { maxUnhealthy: 0 } });
    // What a previous operator persisted during a storm: x held, its observers a and b saying down.
    const heldX = () => [
      {
        host: 'x',
        state: 'Suspect' as const,
        observers: ['a', 'b'].map((node) => ({
          node,
          reachable: false,
          verdict: 'down' as const,
          lastReportTime: new Date(t0).toISOString(),
        })),
      },
    ];

    it('clears the storm when the held host is reported up again', function () {
      const engine = createCorrelationEngine(config());
      engine.restore(heldX(), t0 + 100, ['x']);
      const decisions = engine.observe([up('x', 'a', t0 + 200), up('x', 'b', t0 + 200)], t0 + 200);
      assert.deepEqual(kinds(decisions), ['stormCleared', 'x:Suspect->Healthy']);
      assert.deepEqual(engine.stormHosts(), []);
    });

    it('keeps the held host held while its observers have not spoken again, for one window at most', function () {
      const engine = createCorrelationEngine(config());
      engine.restore(heldX(), t0 + 100, ['x']);
      // Another host's report comes first: the storm is neither cleared nor announced again.
      assert.deepEqual(kinds(engine.observe([up('a', 'b', t0 + 200)], t0 + 200)), ['a:Unknown->Healthy']);
      assert.deepEqual(engine.stormHosts(), ['x']);
      assert.equal(engine.nextWakeAt(), t0 + 1101);
      assert.deepEqual(kinds(engine.tick(t0 + 1100)), []);
      // Nobody confirmed the storm within the window: it ends.
      assert.deepEqual(kinds(engine.tick(t0 + 1101)), ['stormCleared']);
      assert.equal(engine.snapshot('x')?.stormHeld, false);
    });

    it('carries on a storm the monitors confirm without announcing it again', function () {
      const engine = createCorrelationEngine(config());
      engine.restore(heldX(), t0 + 100, ['x']);
      const again = engine.observe([down('x', 'a', t0 + 200), down('x', 'b', t0 + 200)], t0 + 200);
      assert.deepEqual(kinds(again), []);
      assert.deepEqual(kinds(engine.tick(t0 + 1201)), ['stormCleared']);
    });
  });

  it('converts a HostHealth object', function () {
    const hostHealth: HostHealth = {
      apiVersion: 'doctor.io/v1alpha1',
      kind: 'HostHealth',
      metadata: { name: 'x' },
      spec: { policy: 'p', maintenance: { enabled: false } },
      status: {
        state: 'Down',
        observers: [{ node: 'a', reachable: false, lastReportTime: '2024-01-01T00:00:01.000Z' }],
        faults: [
          {
            id: 'old',
            type: 'compute.host.down',
            detectedTime: '2023-01-01T00:00:00.000Z',
            reason: 'r0',
            resolvedTime: '2023-01-01T00:10:00.000Z',
          },
          {
            id: 'f2',
            type: 'compute.host.nic.down',
            detectedTime: '2024-01-01T00:00:00.000Z',
            reason: 'link down on eth1',
          },
        ],
        timeline: {
          T01: '2024-01-01T00:00:00.000Z',
          T02: '2024-01-01T00:00:00.020Z',
          T03: '2024-01-01T00:00:00.030Z',
        },
      },
    };
    const persisted = persistedFromHostHealth(hostHealth);
    assert.deepEqual(persisted.fault, {
      id: 'f2',
      cause: 'nic',
      evidence: [],
      reason: 'link down on eth1',
      detectedAt: '2024-01-01T00:00:00.000Z',
      firstReportReceivedAt: '2024-01-01T00:00:00.020Z',
      declaredAt: '2024-01-01T00:00:00.030Z',
    });
    const engine = createCorrelationEngine(engineConfig(hosts));
    engine.restore([persisted], t0 + 5000);
    const snapshot = engine.snapshot('x');
    assert.equal(snapshot?.state, 'Down');
    assert.deepEqual(
      snapshot?.faults.map((f) => f.id),
      ['old', 'f2'],
    );
    assert.deepEqual(
      snapshot?.observers.map((o) => [o.node, o.verdict, o.lastReportTime]),
      [['a', 'down', '2024-01-01T00:00:01.000Z']],
    );
    // Nothing known about the link yet: the NIC fault stays open until a link-up report comes, and
    // while the restored observer a still counts as saying down.
    assert.deepEqual(engine.tick(t0 + 60_000), []);
    assert.deepEqual(engine.observe([nicUp('x', 'eth1', t0 + 61_000)], t0 + 61_000), []);
    const decisions = engine.observe([heartbeat('a', { x: 'up' }, t0 + 62_000)], t0 + 62_000);
    assert.deepEqual(kinds(decisions), ['hostRecovering:x', 'x:Down->Recovering']);
    assert.equal(only(decisions, 'hostRecovering')[0]?.faultId, 'f2');
  });
});
