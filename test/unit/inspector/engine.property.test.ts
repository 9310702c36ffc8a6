// Generated (property) tests of the correlation engine: random clusters, policies and report sequences,
// checked against rules restated here independently of the engine's code.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { HostEvent } from '../../../src/api/events.js';
import type { EngineConfig } from '../../../src/inspector/config.js';
import type { Decision } from '../../../src/inspector/decisions.js';
import { createCorrelationEngine, type CorrelationEngine } from '../../../src/inspector/engine.js';
import { unhealthyLimit } from '../../../src/inspector/storm-guard.js';
import { t0 } from './events-fixture.js';

type Step =
  | {
      kind: 'reports';
      dt: number;
      reports: { host: number; observer: number; down: boolean; skew: number }[];
    }
  | { kind: 'heartbeat'; dt: number; observer: number; verdicts: ('up' | 'down' | 'unknown')[]; skew: number }
  | { kind: 'isolation'; dt: number; observer: number; isolated: boolean; skew: number }
  | { kind: 'nic'; dt: number; host: number; nic: number; down: boolean; skew: number }
  | { kind: 'maintenance'; dt: number; host: number; on: boolean }
  | { kind: 'tick'; dt: number };

interface Scenario {
  hostCount: number;
  quorum: number;
  windowMilliseconds: number;
  healthySeconds: number;
  maxUnhealthy: number | string;
  steps: Step[];
}

// More runs for a deeper search: INSPECTOR_PROPERTY_RUNS=5000 npx mocha ...
const numRuns = Number(process.env.INSPECTOR_PROPERTY_RUNS ?? 300);
const externals = ['m1', 'm2'];
const hostName = (index: number) => `h${index}`;

const skew = fc.integer({ min: -50, max: 50 });
const dt = fc.integer({ min: 0, max: 900 });
const stepArbitrary = (hostCount: number): fc.Arbitrary<Step> => {
  const host = fc.integer({ min: 0, max: hostCount - 1 });
  const observer = fc.integer({ min: 0, max: hostCount + externals.length - 1 });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('reports' as const),
        dt,
        reports: fc.array(fc.record({ host, observer, down: fc.boolean(), skew }), {
          minLength: 1,
          maxLength: 4,
        }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('heartbeat' as const),
        dt,
        observer: host,
        verdicts: fc.array(fc.constantFrom('up' as const, 'down' as const, 'unknown' as const), {
          minLength: hostCount,
          maxLength: hostCount,
        }),
        skew,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('isolation' as const),
        dt,
        observer: host,
        isolated: fc.boolean(),
        skew,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('nic' as const),
        dt,
        host,
        nic: fc.integer({ min: 0, max: 1 }),
        down: fc.boolean(),
        skew,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('maintenance' as const), dt, host, on: fc.boolean() }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 5000 }) }),
    },
  );
};

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.integer({ min: 2, max: 6 }).chain((hostCount) =>
  fc.record({
    hostCount: fc.constant(hostCount),
    quorum: fc.integer({ min: 1, max: 3 }),
    windowMilliseconds: fc.integer({ min: 100, max: 2000 }),
    healthySeconds: fc.integer({ min: 0, max: 3 }),
    maxUnhealthy: fc.oneof(
      fc.integer({ min: 0, max: hostCount }),
      fc.constantFrom('0%', '20%', '34%', '50%', '100%'),
    ),
    steps: fc.array(stepArbitrary(hostCount), { minLength: 1, maxLength: 40 }),
  }),
);

function configOf(scenario: Scenario, maintenance: ReadonlySet<string>): EngineConfig {
  return {
    detection: {
      quorum: scenario.quorum,
      windowMilliseconds: scenario.windowMilliseconds,
      healthySeconds: scenario.healthySeconds,
    },
    protection: { maxUnhealthy: scenario.maxUnhealthy },
    hosts: Array.from({ length: scenario.hostCount }, (_, index) => ({
      name: hostName(index),
      maintenance: maintenance.has(hostName(index)),
    })),
    // A ring assignment (each host watched by the next one), so assigned observers take part too.
    observers: Object.fromEntries(
      Array.from({ length: scenario.hostCount }, (_, index) => [
        hostName(index),
        [hostName((index + 1) % scenario.hostCount)],
      ]),
    ),
  };
}

function event(
  type: string,
  id: string,
  time: number,
  hostname: string,
  reporter: string,
  extra: Record<string, unknown> = {},
): HostEvent {
  const external = externals.includes(reporter);
  return {
    id,
    time: new Date(time).toISOString(),
    type,
    details: {
      hostname,
      status: type.endsWith('down') ? 'down' : type.endsWith('.up') ? 'up' : 'ok',
      monitor: external ? reporter : 'doctor-monitor',
      monitor_event_id: id,
      ...(external ? {} : { observer: reporter }),
      ...extra,
    },
  };
}

/** The events of one step (empty for ticks and config changes). */
function eventsOf(step: Step, index: number, now: number, hostCount: number): HostEvent[] {
  const observerName = (i: number) => (i < hostCount ? hostName(i) : (externals[i - hostCount] ?? 'm1'));
  switch (step.kind) {
    case 'reports':
      return step.reports.map((report, j) =>
        event(
          report.down ? 'compute.host.down' : 'compute.host.up',
          `s${index}r${j}`,
          now + report.skew,
          hostName(report.host),
          observerName(report.observer),
        ),
      );
    case 'heartbeat':
      return [
        event(
          'compute.host.heartbeat',
          `s${index}hb`,
          now + step.skew,
          hostName(step.observer),
          hostName(step.observer),
          {
            peers: step.verdicts.map((status, i) => ({ hostname: hostName(i), status })),
          },
        ),
      ];
    case 'isolation':
      return [
        event(
          step.isolated ? 'compute.host.isolated' : 'compute.host.connected',
          `s${index}i`,
          now + step.skew,
          hostName(step.observer),
          hostName(step.observer),
        ),
      ];
    case 'nic':
      return [
        event(
          step.down ? 'compute.host.nic.down' : 'compute.host.nic.up',
          `s${index}n`,
          now + step.skew,
          hostName(step.host),
          hostName(step.host),
          { interface: `eth${step.nic}` },
        ),
      ];
    default:
      return [];
  }
}

interface Trace {
  decisions: Decision[][];
  snapshots: unknown;
}

/** Runs a scenario; `check` sees every step's decisions together with what the test knows independently. */
function run(
  scenario: Scenario,
  check?: (input: StepView) => void,
  afterStep?: (engine: CorrelationEngine, view: StepView) => void,
): Trace {
  const maintenance = new Set<string>();
  const engine = createCorrelationEngine(configOf(scenario, maintenance));
  const trace: Trace = { decisions: [], snapshots: undefined };
  const seen: HostEvent[] = [];
  let now = t0;
  for (const [index, step] of scenario.steps.entries()) {
    now += step.dt;
    let decisions: Decision[];
    const events = eventsOf(step, index, now, scenario.hostCount);
    if (step.kind === 'maintenance') {
      if (step.on) maintenance.add(hostName(step.host));
      else maintenance.delete(hostName(step.host));
      decisions = engine.updateConfig(configOf(scenario, maintenance), now);
    } else if (step.kind === 'tick') {
      decisions = engine.tick(now);
    } else {
      decisions = engine.observe(events, now);
    }
    seen.push(...events);
    trace.decisions.push(decisions);
    const view = { scenario, now, events, decisions, maintenance, seen };
    check?.(view);
    afterStep?.(engine, view);
  }
  trace.snapshots = engine.snapshots();
  return trace;
}

interface StepView {
  scenario: Scenario;
  now: number;
  events: HostEvent[];
  decisions: Decision[];
  maintenance: ReadonlySet<string>;
  seen: HostEvent[];
}

/** What the test tracks by itself: latest reports, isolation, and the faults the decisions opened. */
class Model {
  latest = new Map<string, { time: number; id: string; down: boolean | undefined; assertedAt: number }>();
  isolation = new Map<string, { time: number; id: string; isolated: boolean }>();
  nic = new Map<string, { time: number; id: string; down: boolean }>();
  faults = new Map<string, { id: string; recovering: boolean }>();

  apply(events: HostEvent[], now: number): void {
    for (const e of events) {
      const time = Date.parse(e.time);
      const reporter = e.details.observer ?? e.details.monitor;
      const later = (current: { time: number; id: string } | undefined) =>
        !current || time > current.time || (time === current.time && e.id > current.id);
      const verdict = (host: string, down: boolean | undefined) => {
        if (host === reporter) return;
        const key = `${reporter}>${host}`;
        if (later(this.latest.get(key))) this.latest.set(key, { time, id: e.id, down, assertedAt: now });
      };
      if (e.type === 'compute.host.down' || e.type === 'compute.host.up')
        verdict(e.details.hostname, e.type === 'compute.host.down');
      if (e.type === 'compute.host.heartbeat') {
        for (const peer of e.details.peers ?? [])
          verdict(peer.hostname, peer.status === 'unknown' ? undefined : peer.status === 'down');
      }
      if (e.type === 'compute.host.isolated' || e.type === 'compute.host.connected') {
        if (later(this.isolation.get(e.details.hostname)))
          this.isolation.set(e.details.hostname, {
            time,
            id: e.id,
            isolated: e.type === 'compute.host.isolated',
          });
      }
      if (e.type.startsWith('compute.host.nic.')) {
        const key = `${e.details.hostname}/${String(e.details.interface)}`;
        if (later(this.nic.get(key)))
          this.nic.set(key, { time, id: e.id, down: e.type === 'compute.host.nic.down' });
      }
    }
  }

  isolated(observer: string): boolean {
    return this.isolation.get(observer)?.isolated ?? false;
  }
}

const property = (predicate: (scenario: Scenario) => void) =>
  fc.assert(fc.property(scenarioArbitrary, predicate), { numRuns });

describe('correlation engine properties', function () {
  this.timeout(60_000);

  it('generates scenarios that reach every kind of decision (the properties below are not vacuous)', function () {
    const seen = new Map<string, number>();
    for (const scenario of fc.sample(scenarioArbitrary, { numRuns: 500, seed: 42 })) {
      for (const decision of run(scenario).decisions.flat()) {
        const kind =
          decision.kind === 'hostDown' ? `hostDown/${decision.cause}/${decision.reopened}` : decision.kind;
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
      }
    }
    for (const kind of [
      'hostDown/quorum/false',
      'hostDown/quorum/true',
      'hostDown/nic/false',
      'hostRecovering',
      'hostHealthy',
      'stormActive',
      'stormCleared',
      'stateChanged',
    ]) {
      assert.ok(
        (seen.get(kind) ?? 0) >= 5,
        `${kind} seen ${seen.get(kind) ?? 0} times: ${JSON.stringify([...seen])}`,
      );
    }
  });

  it('declares Down only on a fresh quorum of distinct, eligible observers, never in maintenance, never beyond maxUnhealthy', function () {
    property((scenario) => {
      const model = new Model();
      run(scenario, ({ now, events, decisions, maintenance }) => {
        model.apply(events, now);
        const limit = unhealthyLimit(scenario.maxUnhealthy, scenario.hostCount);
        // Hosts with an open fault (Down or Recovering) are not witnesses.
        const downAtStart = new Set(model.faults.keys());
        const downDuringStep = new Set([
          ...downAtStart,
          ...decisions.filter((d) => d.kind === 'hostDown').map((d) => d.host),
        ]);
        // A faulted host may heal within the step (healthySeconds 0), after which its reports count again;
        // only one with no fault decision yet in this step is surely still faulted.
        const stillDown = new Set(downAtStart);
        for (const decision of decisions) {
          if ('host' in decision && decision.kind !== 'stateChanged') stillDown.delete(decision.host);
          if (
            decision.kind === 'hostDown' ||
            decision.kind === 'hostRecovering' ||
            decision.kind === 'hostHealthy'
          ) {
            assert.equal(
              maintenance.has(decision.host),
              false,
              `${decision.kind} on ${decision.host} in maintenance`,
            );
          }
          if (decision.kind === 'hostDown' && decision.reopened) {
            assert.equal(
              model.faults.get(decision.host)?.id,
              decision.faultId,
              'a reopen names the open fault',
            );
            model.faults.set(decision.host, { id: decision.faultId, recovering: false });
          } else if (decision.kind === 'hostDown') {
            assert.equal(model.faults.has(decision.host), false, 'no second fault while one is open');
            assert.equal(new Set(decision.evidence).size, decision.evidence.length, 'distinct observers');
            if (decision.cause === 'quorum') {
              for (const observer of decision.evidence) {
                const report = model.latest.get(`${observer}>${decision.host}`);
                assert.equal(report?.down, true, `${observer} says ${decision.host} is down`);
                assert.ok(
                  now - (report?.assertedAt ?? -Infinity) <= scenario.windowMilliseconds,
                  'within the window',
                );
                assert.equal(model.isolated(observer), false, `isolated ${observer} is not evidence`);
                assert.equal(stillDown.has(observer), false, `faulted ${observer} is not evidence`);
                assert.equal(maintenance.has(observer), false, `maintenance ${observer} is not evidence`);
              }
              // The observers that exist are at least these (the engine may exclude fewer).
              const existing = [...model.latest.keys()]
                .filter((key) => key.endsWith(`>${decision.host}`))
                .map((key) => key.slice(0, key.indexOf('>')))
                .filter((o) => !model.isolated(o) && !downDuringStep.has(o) && !maintenance.has(o));
              const atLeast = Math.max(1, Math.min(scenario.quorum, existing.length));
              assert.ok(
                decision.evidence.length >= atLeast,
                `${decision.evidence.length} observers, quorum at least ${atLeast}`,
              );
            } else {
              assert.ok(
                [...model.nic].some(([key, nic]) => key.startsWith(`${decision.host}/`) && nic.down),
                'a link is down',
              );
            }
            model.faults.set(decision.host, { id: decision.faultId, recovering: false });
          } else if (decision.kind === 'hostRecovering') {
            assert.equal(model.faults.get(decision.host)?.id, decision.faultId);
            model.faults.set(decision.host, { id: decision.faultId, recovering: true });
          } else if (decision.kind === 'hostHealthy') {
            assert.equal(
              model.faults.get(decision.host)?.recovering,
              true,
              'only a Recovering host becomes Healthy',
            );
            assert.equal(model.faults.get(decision.host)?.id, decision.faultId);
            model.faults.delete(decision.host);
          }
        }
        const opened = decisions.filter((d) => d.kind === 'hostDown' && !d.reopened).length;
        if (opened > 0)
          assert.ok(model.faults.size <= limit, `${model.faults.size} unhealthy hosts > limit ${limit}`);
      });
    });
  });

  it('is deterministic: the same input sequence gives the same decisions and state', function () {
    property((scenario) => {
      assert.deepEqual(run(scenario), run(scenario));
    });
  });

  it('is idempotent, and its fast path never skips a decision: evaluating again at once decides nothing', function () {
    property((scenario) => {
      run(scenario, undefined, (engine, { events, now }) => {
        if (events.length > 0) assert.deepEqual(engine.observe(events, now), []);
        assert.deepEqual(engine.tick(now), [], 'a second evaluation at the same time decides nothing');
      });
    });
  });

  it('keeps fault ids across a restart seeded from snapshots, and does not re-declare open faults', function () {
    fc.assert(
      fc.property(scenarioArbitrary, fc.nat(), (scenario, pick) => {
        const restartAt = pick % scenario.steps.length;
        let index = 0;
        run(scenario, undefined, (engine, { now, maintenance, seen }) => {
          if (index++ !== restartAt) return;
          const before = engine.snapshots();
          const restarted = createCorrelationEngine(configOf(scenario, maintenance));
          restarted.restore(before, now, engine.stormHosts());
          assert.deepEqual(
            restarted.snapshots().map((s) => [s.host, s.fault]),
            before.map((s) => [s.host, s.fault]),
          );
          // Monitors deliver their latest reports to the new leader.
          const open = new Map(before.filter((s) => s.fault).map((s) => [s.host, s.fault?.id]));
          for (const decision of restarted.observe(seen, now)) {
            if (!('host' in decision) || !open.has(decision.host) || !('faultId' in decision)) continue;
            assert.equal(decision.faultId, open.get(decision.host), `${decision.kind} keeps the fault id`);
            if (decision.kind === 'hostDown')
              assert.equal(decision.reopened, true, 'not declared as a new fault');
          }
        });
      }),
      { numRuns },
    );
  });

  it('keeps its revision only while every snapshot stays the same but for report times', function () {
    // Callers skip snapshots while the revision stands still (a heartbeat repeating its verdicts).
    const withoutTimes = (engine: CorrelationEngine) =>
      engine.snapshots().map((s) => ({
        ...s,
        observers: s.observers.map(({ lastReportTime: _t, rttMilliseconds: _r, ...o }) => o),
      }));
    let unchangedSteps = 0;
    property((scenario) => {
      let revision: number | undefined;
      let before: unknown;
      run(scenario, undefined, (engine) => {
        const after = withoutTimes(engine);
        if (engine.revision() === revision) {
          unchangedSteps++;
          assert.deepEqual(after, before);
        }
        revision = engine.revision();
        before = after;
      });
    });
    assert.ok(unchangedSteps > 0, 'some steps leave the revision as it was (the property is not vacuous)');
  });
});
