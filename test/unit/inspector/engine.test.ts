import assert from 'node:assert/strict';
import { createCorrelationEngine } from '../../../src/inspector/engine.js';
import { faultId } from '../../../src/inspector/fault-id.js';
import { parseEventsJson } from '../../../src/intake/parse-events.js';
import {
  connected,
  doctorDown,
  down,
  engineConfig,
  heartbeat,
  isolated,
  kinds,
  nicDown,
  nicUp,
  only,
  t0,
  up,
} from './events-fixture.js';

const hosts = ['a', 'b', 'c', 'x'];

describe('correlation engine', function () {
  describe("Doctor's seed event", function () {
    const seed =
      '[{"id":"0a2b5c1e-6f5e-4d5a-8a1c-2b0c2f8e6d11","time":"2017-05-08T13:50:39.710436","type":"compute.host.down",' +
      '"details":{"hostname":"compute-1","status":"down","monitor":"sample","monitor_event_id":"1"}}]';

    it('makes the host Down: the external monitor is its only observer, so quorum caps to 1', function () {
      const parsed = parseEventsJson(seed);
      assert.ok(parsed.ok);
      const engine = createCorrelationEngine(engineConfig(['compute-1', 'compute-2']));
      const decisions = engine.observe(parsed.events, t0);
      const [hostDown] = only(decisions, 'hostDown');
      assert.deepEqual(hostDown, {
        kind: 'hostDown',
        host: 'compute-1',
        faultId: faultId('compute-1', Date.UTC(2017, 4, 8, 13, 50, 39, 710)),
        cause: 'quorum',
        evidence: ['sample'],
        reason: '1 of 1 observers report the host down (quorum 1): sample',
        detectedAt: '2017-05-08T13:50:39.710Z',
        firstReportReceivedAt: new Date(t0).toISOString(),
        declaredAt: new Date(t0).toISOString(),
        reopened: false,
        at: new Date(t0).toISOString(),
      });
      assert.deepEqual(kinds(decisions), ['hostDown:compute-1', 'compute-1:Unknown->Down']);
      assert.equal(engine.snapshot('compute-1')?.state, 'Down');
    });

    it('the same event again decides nothing, even later', function () {
      const parsed = parseEventsJson(seed);
      assert.ok(parsed.ok);
      const engine = createCorrelationEngine(engineConfig(['compute-1']));
      engine.observe(parsed.events, t0);
      assert.deepEqual(engine.observe(parsed.events, t0), []);
      assert.deepEqual(engine.observe(parsed.events, t0 + 60_000), []);
    });
  });

  describe('quorum and window', function () {
    it('one observer of three makes the host Suspect; a second within the window makes it Down', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'a', t0), up('x', 'b', t0), up('x', 'c', t0)], t0);
      assert.deepEqual(kinds(engine.observe([down('x', 'a', t0 + 100)], t0 + 120)), ['x:Healthy->Suspect']);
      const decisions = engine.observe([down('x', 'b', t0 + 300)], t0 + 310);
      const [hostDown] = only(decisions, 'hostDown');
      assert.deepEqual(hostDown?.evidence, ['a', 'b']);
      assert.equal(hostDown?.detectedAt, new Date(t0 + 100).toISOString(), 'T01 is the first detection');
      assert.equal(hostDown?.firstReportReceivedAt, new Date(t0 + 120).toISOString(), 'T02');
      assert.equal(hostDown?.declaredAt, new Date(t0 + 310).toISOString(), 'T03');
      assert.equal(hostDown?.reason, '2 of 3 observers report the host down (quorum 2): a, b');
    });

    it('a down older than the window does not count towards quorum', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'b', t0 - 10), up('x', 'c', t0 - 10)], t0 - 10);
      engine.observe([down('x', 'a', t0)], t0);
      const decisions = engine.observe([down('x', 'b', t0 + 1001)], t0 + 1001);
      assert.deepEqual(only(decisions, 'hostDown'), []);
      assert.equal(engine.snapshot('x')?.state, 'Suspect');
    });

    it('a heartbeat repeating the down keeps it fresh', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'b', t0 - 10), up('x', 'c', t0 - 10)], t0 - 10);
      engine.observe([down('x', 'a', t0)], t0);
      engine.observe([heartbeat('a', { x: 'down', b: 'up', c: 'up' }, t0 + 900)], t0 + 900);
      const decisions = engine.observe([down('x', 'b', t0 + 1500)], t0 + 1500);
      assert.deepEqual(only(decisions, 'hostDown')[0]?.evidence, ['a', 'b']);
      assert.equal(only(decisions, 'hostDown')[0]?.detectedAt, new Date(t0).toISOString());
    });

    it('judges freshness on the operator clock, not the reporter clock', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      // The reporters' clocks are an hour behind: still one correlated fault.
      const skew = 3_600_000;
      engine.observe([up('x', 'b', t0 - skew - 10), up('x', 'c', t0 - skew - 10)], t0 - 10);
      engine.observe([down('x', 'a', t0 - skew)], t0);
      const decisions = engine.observe([down('x', 'b', t0 - skew + 50)], t0 + 50);
      assert.equal(only(decisions, 'hostDown').length, 1);
    });

    it('keeps the latest report of each observer by its own clock, whatever the arrival order', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'a', t0 + 200)], t0 + 210);
      engine.observe([down('x', 'a', t0 + 100)], t0 + 220); // a late retry of an older verdict
      assert.deepEqual(only(engine.observe([down('x', 'b', t0 + 230)], t0 + 230), 'hostDown'), []);
      assert.equal(engine.snapshot('x')?.observers.find((o) => o.node === 'a')?.verdict, 'up');
    });

    it('counts distinct observers: one observer repeating itself is one', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'b', t0)], t0);
      const decisions = engine.observe(
        [down('x', 'a', t0 + 1), down('x', 'a', t0 + 2), down('x', 'a', t0 + 3)],
        t0 + 5,
      );
      assert.deepEqual(only(decisions, 'hostDown'), []);
    });

    it('caps quorum at the observers that exist', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 3, windowMilliseconds: 1000, healthySeconds: 30 } }),
      );
      engine.observe([up('x', 'b', t0)], t0);
      assert.equal(engine.snapshot('x')?.effectiveQuorum, 1);
      const decisions = engine.observe([down('x', 'a', t0 + 10), down('x', 'b', t0 + 10)], t0 + 10);
      assert.deepEqual(only(decisions, 'hostDown')[0]?.evidence, ['a', 'b']);
    });

    it('counts assigned observers once they have been heard from', function () {
      const engine = createCorrelationEngine(engineConfig(hosts, { observers: { x: ['a', 'b', 'c'] } }));
      // Nothing from b and c yet: a alone is every observer that exists.
      assert.equal(engine.snapshot('x')?.effectiveQuorum, 1);
      engine.observe([heartbeat('b', { c: 'up' }, t0), heartbeat('c', { a: 'up' }, t0)], t0);
      assert.equal(engine.snapshot('x')?.effectiveQuorum, 2);
      assert.deepEqual(only(engine.observe([down('x', 'a', t0 + 10)], t0 + 10), 'hostDown'), []);
    });

    it('an external Doctor monitor counts as one more observer', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'a', t0), up('x', 'b', t0)], t0);
      assert.deepEqual(only(engine.observe([doctorDown('x', 'sample', t0 + 5)], t0 + 5), 'hostDown'), []);
      const decisions = engine.observe([down('x', 'a', t0 + 10)], t0 + 10);
      assert.deepEqual(only(decisions, 'hostDown')[0]?.evidence, ['a', 'sample']);
    });

    it("ignores a host's reports about itself and reports about hosts it does not monitor", function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 1, windowMilliseconds: 1000, healthySeconds: 30 } }),
      );
      assert.deepEqual(engine.observe([down('x', 'x', t0), down('elsewhere', 'a', t0)], t0), []);
      assert.equal(engine.isMonitored('elsewhere'), false);
    });
  });

  describe('observers that are not evidence', function () {
    it("an isolated observer's reports do not count, until it is connected again", function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'a', t0), up('x', 'b', t0), up('x', 'c', t0)], t0);
      engine.observe([isolated('a', t0 + 1)], t0 + 1);
      assert.deepEqual(
        only(engine.observe([down('x', 'a', t0 + 5), down('x', 'b', t0 + 5)], t0 + 5), 'hostDown'),
        [],
      );
      const snapshot = engine.snapshot('x');
      assert.equal(snapshot?.observers.find((o) => o.node === 'a')?.evidence, false);
      assert.equal(engine.snapshot('a')?.isolated, true);
      const decisions = engine.observe([connected('a', t0 + 50)], t0 + 50);
      assert.deepEqual(only(decisions, 'hostDown')[0]?.evidence, ['a', 'b']);
    });

    it('an observer that is itself Down is not evidence, and no longer counts as existing', function () {
      const engine = createCorrelationEngine(engineConfig(['a', 'b', 'c', 'd', 'x']));
      engine.observe([up('x', 'a', t0), up('x', 'b', t0), up('b', 'c', t0), up('b', 'd', t0)], t0);
      // b and x fail together; b's old "up" about x must not hold x at quorum 2 forever.
      const decisions = engine.observe(
        [down('b', 'c', t0 + 10), down('b', 'd', t0 + 10), down('x', 'a', t0 + 10)],
        t0 + 10,
      );
      assert.deepEqual(
        only(decisions, 'hostDown').map((d) => [d.host, d.evidence]),
        [
          ['b', ['c', 'd']],
          ['x', ['a']],
        ],
      );
      assert.equal(engine.snapshot('x')?.observers.find((o) => o.node === 'b')?.evidence, false);
    });

    it("a Down host's reports about others are ignored", function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([down('a', 'b', t0), down('a', 'c', t0), up('x', 'b', t0), up('x', 'c', t0)], t0);
      assert.equal(engine.snapshot('a')?.state, 'Down');
      assert.deepEqual(
        only(engine.observe([down('x', 'a', t0 + 5), down('x', 'b', t0 + 5)], t0 + 5), 'hostDown'),
        [],
      );
      assert.equal(engine.snapshot('x')?.state, 'Suspect');
    });
  });

  describe('first evidence', function () {
    it('a host nobody reported on is Unknown; the first up makes it Healthy', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      assert.equal(engine.snapshot('x')?.state, 'Unknown');
      assert.deepEqual(kinds(engine.observe([heartbeat('a', { x: 'up' }, t0)], t0)), ['x:Unknown->Healthy']);
    });

    it('an "unknown" verdict is not evidence either way', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      assert.deepEqual(engine.observe([heartbeat('a', { x: 'unknown' }, t0)], t0), []);
      assert.equal(engine.snapshot('x')?.state, 'Unknown');
    });
  });

  describe('recovery', function () {
    function downHost() {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([down('x', 'a', t0), down('x', 'b', t0), down('x', 'c', t0)], t0);
      const id = engine.snapshot('x')?.fault?.id;
      assert.ok(id);
      return { engine, id };
    }

    it('stays Down without up reports, however long', function () {
      const { engine } = downHost();
      assert.deepEqual(engine.tick(t0 + 3_600_000), []);
      assert.equal(engine.snapshot('x')?.state, 'Down');
    });

    it('one up is not enough; quorum ups make it Recovering, healthySeconds later Healthy', function () {
      const { engine, id } = downHost();
      assert.deepEqual(only(engine.observe([up('x', 'a', t0 + 5000)], t0 + 5000), 'hostRecovering'), []);
      const recovering = engine.observe([up('x', 'b', t0 + 6000)], t0 + 6000);
      assert.deepEqual(kinds(recovering), ['hostRecovering:x', 'x:Down->Recovering']);
      assert.deepEqual(only(recovering, 'hostRecovering')[0]?.evidence, ['a', 'b']);
      assert.deepEqual(engine.tick(t0 + 6000 + 29_999), []);
      const healthy = engine.tick(t0 + 36_000);
      assert.deepEqual(kinds(healthy), ['hostHealthy:x', 'x:Recovering->Suspect']);
      assert.equal(only(healthy, 'hostHealthy')[0]?.faultId, id);
      // c still says down (from before recovery): it does not hold the fault open, but shows.
      assert.equal(engine.snapshot('x')?.fault, undefined);
      assert.deepEqual(
        engine.snapshot('x')?.faults.map((f) => [f.id, f.resolvedTime]),
        [[id, new Date(t0 + 36_000).toISOString()]],
      );
    });

    it('a down during Recovering reopens the same fault, and recovery waits for that observer', function () {
      const { engine, id } = downHost();
      engine.observe([up('x', 'a', t0 + 100), up('x', 'b', t0 + 100), up('x', 'c', t0 + 100)], t0 + 100);
      const reopened = engine.observe([down('x', 'c', t0 + 200)], t0 + 200);
      assert.deepEqual(kinds(reopened), ['hostDown:x', 'x:Recovering->Down']);
      assert.equal(only(reopened, 'hostDown')[0]?.faultId, id);
      assert.equal(only(reopened, 'hostDown')[0]?.reopened, true);
      assert.deepEqual(engine.tick(t0 + 60_000), [], 'c still says down: no recovery');
      const recovering = engine.observe([up('x', 'c', t0 + 61_000)], t0 + 61_000);
      assert.deepEqual(kinds(recovering), ['hostRecovering:x', 'x:Down->Recovering']);
      assert.deepEqual(kinds(engine.tick(t0 + 91_000)), ['hostHealthy:x', 'x:Recovering->Healthy']);
    });

    it('healthySeconds 0 recovers and closes in one step', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 0 } }),
      );
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      const decisions = engine.observe([up('x', 'a', t0 + 10), up('x', 'b', t0 + 10)], t0 + 10);
      assert.deepEqual(kinds(decisions), ['hostRecovering:x', 'hostHealthy:x', 'x:Down->Healthy']);
    });

    it('a new fault after a closed one gets a new id', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 0 } }),
      );
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      engine.observe([up('x', 'a', t0 + 10), up('x', 'b', t0 + 10)], t0 + 10);
      const again = engine.observe([down('x', 'a', t0 + 20), down('x', 'b', t0 + 20)], t0 + 20);
      const [hostDown] = only(again, 'hostDown');
      assert.equal(hostDown?.faultId, faultId('x', t0 + 20));
      assert.notEqual(hostDown?.faultId, faultId('x', t0));
      assert.equal(hostDown?.reopened, false);
    });
  });

  describe('NIC link down', function () {
    it("from the host's own monitor, makes the host Down by itself", function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'a', t0), up('x', 'b', t0)], t0);
      const decisions = engine.observe([nicDown('x', 'eth1', t0 + 10)], t0 + 20);
      const [hostDown] = only(decisions, 'hostDown');
      assert.equal(hostDown?.cause, 'nic');
      assert.deepEqual(hostDown?.evidence, ['x']);
      assert.equal(hostDown?.reason, 'link down on eth1 (reported by x)');
      assert.equal(engine.snapshot('x')?.faults[0]?.type, 'compute.host.nic.down');
      assert.deepEqual(engine.snapshot('x')?.nicDown, ['eth1']);
    });

    it('from another observer, is ignored (only the host sees its links)', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      assert.deepEqual(engine.observe([nicDown('x', 'eth1', t0, 'a')], t0), []);
    });

    it('from a Doctor monitor on the host (no observer field), counts', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      assert.equal(only(engine.observe([nicDown('x', 'eth1', t0, undefined)], t0), 'hostDown').length, 1);
    });

    it('recovers when every downed link is up again and no peer says down', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 0 } }),
      );
      engine.observe([nicDown('x', 'eth1', t0), nicDown('x', 'eth2', t0)], t0);
      assert.deepEqual(only(engine.observe([nicUp('x', 'eth1', t0 + 10)], t0 + 10), 'hostRecovering'), []);
      assert.deepEqual(kinds(engine.observe([nicUp('x', 'eth2', t0 + 20)], t0 + 20)), [
        'hostRecovering:x',
        'hostHealthy:x',
        'x:Down->Unknown',
      ]);
    });

    it('ends a link down once its interface is reported missing (a configuration error)', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 0 } }),
      );
      engine.observe([up('x', 'a', t0), up('x', 'b', t0), nicDown('x', 'eth1', t0)], t0);
      const missing = nicDown('x', 'eth1', t0 + 10);
      missing.type = 'compute.host.nic.missing';
      missing.details.status = 'missing';
      missing.id = 'missing-eth1';
      const decisions = engine.observe([missing], t0 + 10);
      assert.deepEqual(engine.snapshot('x')?.nicDown, []);
      assert.deepEqual(kinds(decisions), ['hostRecovering:x', 'hostHealthy:x', 'x:Down->Healthy']);
    });

    it('with nicDownMeansHostDown false, only makes the host Suspect', function () {
      const engine = createCorrelationEngine(engineConfig(hosts, { nicDownMeansHostDown: false }));
      assert.deepEqual(kinds(engine.observe([nicDown('x', 'eth1', t0)], t0)), ['x:Unknown->Suspect']);
    });
  });

  describe('maintenance', function () {
    const inMaintenance = (names: string[], healthySeconds = 30) =>
      engineConfig(hosts, {
        detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds },
        hosts: hosts.map((name) => ({ name, maintenance: names.includes(name) })),
      });

    it('a host in maintenance is never acted on, whatever the evidence', function () {
      const engine = createCorrelationEngine(inMaintenance(['x']));
      assert.equal(engine.snapshot('x')?.state, 'Maintenance');
      const decisions = engine.observe(
        [down('x', 'a', t0), down('x', 'b', t0), nicDown('x', 'eth0', t0)],
        t0,
      );
      assert.deepEqual(decisions, []);
    });

    it('leaving maintenance decides by the evidence then current', function () {
      const engine = createCorrelationEngine(inMaintenance(['x']));
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      assert.deepEqual(kinds(engine.updateConfig(inMaintenance([]), t0 + 100)), [
        'hostDown:x',
        'x:Maintenance->Down',
      ]);

      const quiet = createCorrelationEngine(inMaintenance(['x']));
      assert.deepEqual(kinds(quiet.updateConfig(inMaintenance([]), t0)), ['x:Maintenance->Unknown']);

      const healthy = createCorrelationEngine(inMaintenance(['x']));
      healthy.observe([up('x', 'a', t0)], t0);
      assert.deepEqual(kinds(healthy.updateConfig(inMaintenance([]), t0 + 1)), ['x:Maintenance->Healthy']);
    });

    it('stale downs are not acted on when maintenance ends', function () {
      const engine = createCorrelationEngine(inMaintenance(['x']));
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      assert.deepEqual(kinds(engine.updateConfig(inMaintenance([]), t0 + 5000)), ['x:Maintenance->Suspect']);
    });

    it('freezes an open fault: no recovery actions during maintenance', function () {
      const engine = createCorrelationEngine(inMaintenance([], 0));
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      assert.deepEqual(kinds(engine.updateConfig(inMaintenance(['x'], 0), t0 + 1)), ['x:Down->Maintenance']);
      assert.deepEqual(engine.observe([up('x', 'a', t0 + 2), up('x', 'b', t0 + 2)], t0 + 2), []);
      assert.deepEqual(kinds(engine.updateConfig(inMaintenance([], 0), t0 + 3)), [
        'hostRecovering:x',
        'hostHealthy:x',
        'x:Maintenance->Healthy',
      ]);
    });

    it("a maintenance host's own reports about peers are not evidence", function () {
      const engine = createCorrelationEngine(inMaintenance(['a']));
      engine.observe([up('x', 'b', t0), up('x', 'c', t0)], t0);
      assert.deepEqual(
        only(engine.observe([down('x', 'a', t0 + 1), down('x', 'b', t0 + 1)], t0 + 1), 'hostDown'),
        [],
      );
    });
  });

  describe('storm guard', function () {
    const ten = Array.from({ length: 10 }, (_, index) => `h${index}`);
    // h0..h2 are targets; each observed by o1, o2 (external monitors, so they never become Down).
    const downs = (targets: string[], time: number) =>
      targets.flatMap((host) => [doctorDown(host, 'o1', time), doctorDown(host, 'o2', time)]);

    it('more hosts qualifying than maxUnhealthy: acts on none, names them all', function () {
      const engine = createCorrelationEngine(engineConfig(ten, { protection: { maxUnhealthy: '20%' } }));
      const decisions = engine.observe(downs(['h0', 'h1', 'h2'], t0), t0);
      assert.deepEqual(only(decisions, 'hostDown'), []);
      assert.deepEqual(only(decisions, 'stormActive'), [
        {
          kind: 'stormActive',
          hosts: ['h0', 'h1', 'h2'],
          unhealthy: 0,
          limit: 2,
          at: new Date(t0).toISOString(),
        },
      ]);
      assert.deepEqual(engine.stormHosts(), ['h0', 'h1', 'h2']);
      assert.equal(engine.snapshot('h0')?.state, 'Suspect');
      assert.equal(engine.snapshot('h0')?.stormHeld, true);
      assert.deepEqual(engine.observe(downs(['h0', 'h1', 'h2'], t0), t0), [], 'no repeated stormActive');
    });

    it('clears when back under the limit and then acts on the hosts whose evidence is still current', function () {
      const engine = createCorrelationEngine(engineConfig(ten, { protection: { maxUnhealthy: 2 } }));
      engine.observe(downs(['h0', 'h1', 'h2'], t0), t0);
      // The monitors keep confirming h0 and h1; h2's reports age out of the window.
      engine.observe(downs(['h0', 'h1'], t0 + 800), t0 + 800);
      const decisions = engine.tick(t0 + 1001);
      assert.deepEqual(kinds(decisions).slice(0, 3), ['stormCleared', 'hostDown:h0', 'hostDown:h1']);
      assert.equal(engine.snapshot('h2')?.state, 'Suspect');
      assert.deepEqual(engine.stormHosts(), []);
    });

    it('counts hosts already Down against the limit', function () {
      const engine = createCorrelationEngine(engineConfig(ten, { protection: { maxUnhealthy: 2 } }));
      engine.observe(downs(['h0', 'h1'], t0), t0);
      const decisions = engine.observe(downs(['h2'], t0 + 10), t0 + 10);
      assert.deepEqual(only(decisions, 'hostDown'), []);
      assert.deepEqual(only(decisions, 'stormActive')[0]?.hosts, ['h2']);
      assert.equal(only(decisions, 'stormActive')[0]?.unhealthy, 2);
    });

    it('maxUnhealthy 0 acts on nothing', function () {
      const engine = createCorrelationEngine(engineConfig(ten, { protection: { maxUnhealthy: '0%' } }));
      assert.deepEqual(kinds(engine.observe(downs(['h0'], t0), t0)), ['stormActive', 'h0:Unknown->Suspect']);
    });

    it('raising the limit by a config update clears the storm and acts', function () {
      const engine = createCorrelationEngine(engineConfig(ten, { protection: { maxUnhealthy: 1 } }));
      engine.observe(downs(['h0', 'h1'], t0), t0);
      const decisions = engine.updateConfig(engineConfig(ten, { protection: { maxUnhealthy: 5 } }), t0 + 10);
      assert.deepEqual(kinds(decisions).slice(0, 3), ['stormCleared', 'hostDown:h0', 'hostDown:h1']);
    });

    it('a reopened fault is not a new unhealthy host', function () {
      const engine = createCorrelationEngine(
        engineConfig(['a', 'b', 'c', 'x'], { protection: { maxUnhealthy: 1 } }),
      );
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      engine.observe([up('x', 'a', t0 + 10), up('x', 'b', t0 + 10)], t0 + 10);
      const decisions = engine.observe([down('x', 'a', t0 + 20), down('x', 'b', t0 + 20)], t0 + 20);
      assert.deepEqual(kinds(decisions), ['hostDown:x', 'x:Recovering->Down']);
    });
  });

  describe('heartbeats and the peer assignment', function () {
    it("drops an observer's verdicts about hosts its heartbeat no longer lists", function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([up('x', 'b', t0 - 10)], t0 - 10);
      engine.observe([down('x', 'a', t0)], t0);
      assert.equal(engine.snapshot('x')?.state, 'Suspect');
      assert.deepEqual(kinds(engine.observe([heartbeat('a', { b: 'up', c: 'up' }, t0 + 10)], t0 + 10)), [
        'b:Unknown->Healthy',
        'c:Unknown->Healthy',
        'x:Suspect->Healthy',
      ]);
      // A late retry of the old report does not bring it back.
      assert.deepEqual(engine.observe([down('x', 'a', t0)], t0 + 20), []);
      assert.deepEqual(
        engine.snapshot('x')?.observers.map((o) => o.node),
        ['b'],
      );
    });

    it('reports observers with reachability, time and rtt', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      const report = up('x', 'a', t0);
      report.details.rtt_ms = 0.4;
      engine.observe([report, down('x', 'b', t0 + 1)], t0 + 2);
      assert.deepEqual(engine.snapshot('x')?.observers, [
        {
          node: 'a',
          reachable: true,
          lastReportTime: new Date(t0 + 2).toISOString(),
          rttMilliseconds: 0.4,
          verdict: 'up',
          evidence: true,
        },
        {
          node: 'b',
          reachable: false,
          lastReportTime: new Date(t0 + 2).toISOString(),
          verdict: 'down',
          evidence: true,
        },
      ]);
    });
  });

  describe('time', function () {
    it('never runs backwards: a late tick cannot undo a recovery timer', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 10 } }),
      );
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      engine.observe([up('x', 'a', t0 + 1000), up('x', 'b', t0 + 1000)], t0 + 1000);
      engine.tick(t0 + 11_000);
      assert.deepEqual(engine.tick(t0), []);
      assert.equal(engine.snapshot('x')?.state, 'Healthy');
    });

    it('a heartbeat that only repeats "up" still fires a due recovery timer', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 10 } }),
      );
      engine.observe([down('x', 'a', t0), down('x', 'b', t0)], t0);
      engine.observe([up('x', 'a', t0 + 1000), up('x', 'b', t0 + 1000)], t0 + 1000);
      assert.deepEqual(engine.observe([heartbeat('a', { x: 'up' }, t0 + 5000)], t0 + 5000), []);
      const decisions = engine.observe([heartbeat('a', { x: 'up' }, t0 + 11_000)], t0 + 11_000);
      assert.deepEqual(kinds(decisions), ['hostHealthy:x', 'x:Recovering->Healthy']);
    });

    it('nextWakeAt names the next moment a tick can decide something', function () {
      const engine = createCorrelationEngine(
        engineConfig(hosts, { detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 10 } }),
      );
      assert.equal(engine.nextWakeAt(), undefined);
      engine.observe([down('x', 'a', t0)], t0);
      assert.equal(engine.nextWakeAt(), t0 + 1001, 'when the down leaves the window');
      engine.observe([down('x', 'b', t0 + 10)], t0 + 10);
      engine.observe([up('x', 'a', t0 + 5000), up('x', 'b', t0 + 5000)], t0 + 5000);
      assert.equal(engine.nextWakeAt(), t0 + 15_000, 'when recovery completes');
    });
  });

  describe('config', function () {
    it('refuses an invalid config, naming the fields', function () {
      assert.throws(
        () =>
          createCorrelationEngine(
            engineConfig(['a', 'a'], {
              detection: { quorum: 0, windowMilliseconds: -1, healthySeconds: 1 },
              protection: { maxUnhealthy: '120%' },
            }),
          ),
        /detection\.quorum: .*detection\.windowMilliseconds: .*protection\.maxUnhealthy: .*hosts\[1\]\.name: "a" is listed twice/,
      );
    });

    it('names every other invalid field too', function () {
      assert.throws(
        () =>
          createCorrelationEngine(
            engineConfig([''], {
              detection: { quorum: 1, windowMilliseconds: 1000, healthySeconds: -1 },
              observers: { x: ['a', ''] },
            }),
          ),
        /detection\.healthySeconds: .*hosts\[0\]\.name: must be a non-empty string.*observers\.x: must be a list/,
      );
      const engine = createCorrelationEngine(engineConfig(hosts));
      assert.throws(
        () => engine.updateConfig(engineConfig(hosts, { protection: { maxUnhealthy: -1 } }), t0),
        /protection\.maxUnhealthy/,
      );
    });

    it('forgets a removed host and its reports as an observer', function () {
      const engine = createCorrelationEngine(engineConfig(hosts));
      engine.observe([down('x', 'a', t0), up('x', 'b', t0)], t0);
      const decisions = engine.updateConfig(engineConfig(['b', 'c', 'x']), t0 + 1);
      assert.deepEqual(kinds(decisions), ['x:Suspect->Healthy']);
      assert.equal(engine.snapshot('a'), undefined);
      assert.deepEqual(
        engine.snapshot('x')?.observers.map((o) => o.node),
        ['b'],
      );
    });
  });
});
