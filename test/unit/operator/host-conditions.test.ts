// HostHealth conditions computed from the status fields they summarise, and added to status patches by
// the writer that sees every patch of a host.
import assert from 'node:assert/strict';
import type { Condition, HostHealth } from '../../../src/api/types.js';
import {
  healthyCondition,
  hostConditions,
  remediatedCondition,
} from '../../../src/operator/host-conditions.js';
import { HostConditionWriter } from '../../../src/operator/host-condition-writer.js';
import { CoalescingStatusWriter } from '../../../src/runtime/coalescing-status-writer.js';

const done = { state: 'Done' };
const skipped = { state: 'Skipped' };

describe('HostHealth conditions', function () {
  it('Healthy follows the state: True only when Healthy, Unknown before any report', function () {
    assert.deepEqual(
      [undefined, 'Healthy', 'Suspect', 'Down', 'Recovering', 'Maintenance', 'Unknown'].map((state) => {
        const c = healthyCondition(state === undefined ? {} : { state: state as 'Healthy' });
        return `${c.status}/${c.reason}`;
      }),
      [
        'Unknown/NoReports',
        'True/HostHealthy',
        'False/HostSuspect',
        'False/HostDown',
        'False/HostRecovering',
        'False/InMaintenance',
        'Unknown/NoReports',
      ],
    );
    assert.equal(healthyCondition({ state: 'Down', message: 'quorum met' }).message, 'quorum met');
  });

  it('Remediated: True without a fault, False until every host-down step is Done or Skipped', function () {
    const of = (status: Parameters<typeof remediatedCondition>[0]) => {
      const c = remediatedCondition(status);
      return `${c.status}/${c.reason}`;
    };
    assert.equal(of({ state: 'Healthy' }), 'True/NoFault');
    // Declared Down, remediation not started (or the policy is paused).
    assert.equal(
      of({ state: 'Down', timeline: { faultId: 'f2' }, remediation: { faultId: 'f1', forceDown: done } }),
      'False/RemediationPending',
    );
    const running = {
      faultId: 'f2',
      forceDown: done,
      resetServers: { state: 'Running' },
      taint: skipped,
      notify: done,
    };
    assert.equal(
      of({ state: 'Down', timeline: { faultId: 'f2' }, remediation: running }),
      'False/RemediationInProgress',
    );
    assert.match(
      remediatedCondition({ timeline: { faultId: 'f2' }, remediation: running }).message,
      /resetServers/,
    );
    const failed = { ...running, resetServers: { state: 'Failed' } };
    assert.equal(
      of({ state: 'Down', timeline: { faultId: 'f2' }, remediation: failed }),
      'False/RemediationFailed',
    );
    const complete = { ...running, resetServers: done };
    assert.equal(
      of({ state: 'Down', timeline: { faultId: 'f2' }, remediation: complete }),
      'True/RemediationComplete',
    );
    // A step never planned (absent) is not finished.
    assert.equal(
      of({ timeline: { faultId: 'f2' }, remediation: { faultId: 'f2', forceDown: done } }),
      'False/RemediationInProgress',
    );
    // Recovered afterwards: the fault stays remediated.
    assert.equal(
      of({ state: 'Healthy', timeline: { faultId: 'f2' }, remediation: complete }),
      'True/RemediationComplete',
    );
  });

  it('keeps other conditions and the transition time while the status stays the same', function () {
    const other: Condition = {
      type: 'InterfacesPresent',
      status: 'True',
      reason: 'AllPresent',
      message: '',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const first = hostConditions({ state: 'Down' }, [other], 3, new Date('2026-01-02T00:00:00Z'));
    const again = hostConditions(
      { state: 'Down', message: 'other words' },
      first,
      3,
      new Date('2026-01-03T00:00:00Z'),
    );
    const healthy = again.find((c) => c.type === 'Healthy')!;
    assert.equal(healthy.lastTransitionTime, '2026-01-02T00:00:00Z');
    assert.equal(healthy.observedGeneration, 3);
    assert.deepEqual(
      again.find((c) => c.type === 'InterfacesPresent'),
      other,
    );
    const up = hostConditions({ state: 'Healthy' }, again, 3, new Date('2026-01-04T00:00:00Z'));
    assert.equal(up.find((c) => c.type === 'Healthy')!.lastTransitionTime, '2026-01-04T00:00:00Z');
  });
});

describe('HostConditionWriter', function () {
  const cached: HostHealth = {
    apiVersion: 'doctor.io/v1alpha1',
    kind: 'HostHealth',
    metadata: { name: 'n1', uid: 'u1', generation: 2 },
    spec: { policy: 'p', maintenance: { enabled: false } },
    status: { state: 'Healthy' },
  };
  const cache = { list: () => [cached], get: (name: string) => (name === 'n1' ? cached : undefined) };

  it('adds the conditions computed from the patches written so far, and only when they change', function () {
    const writer = new HostConditionWriter(cache, () => new Date('2026-01-01T00:00:00Z'));
    const down = writer.withConditions('n1', { state: 'Down', timeline: { faultId: 'f1', T03: 'x' } });
    const conditions = down.conditions as Condition[];
    assert.equal(conditions.find((c) => c.type === 'Healthy')!.status, 'False');
    assert.equal(conditions.find((c) => c.type === 'Remediated')!.reason, 'RemediationPending');
    // Remediation's own patch (no state in it) moves Remediated on.
    const steps = { faultId: 'f1', forceDown: done, resetServers: done, taint: skipped, notify: done };
    const finished = writer.withConditions('n1', { remediation: steps });
    assert.equal((finished.conditions as Condition[]).find((c) => c.type === 'Remediated')!.status, 'True');
    // Nothing the conditions depend on changed: the patch goes as it is.
    assert.deepEqual(writer.withConditions('n1', { servers: { found: 1, markedError: 1 } }), {
      servers: { found: 1, markedError: 1 },
    });
  });

  const silentLog = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLog } as never;
  const interfacesMissing = {
    type: 'InterfacesPresent',
    status: 'False',
    reason: 'InterfaceMissing',
    message: 'eth9',
  };
  const readyForMaintenance = {
    type: 'ReadyForMaintenance',
    status: 'True',
    reason: 'HostEmpty',
    message: 'empty',
  };

  /** A status writer as the operator builds it, over a patch function that records (or fails). */
  function statusWriter(
    writer: HostConditionWriter,
    patch: (status: Record<string, unknown>) => Promise<void>,
  ) {
    return new CoalescingStatusWriter(
      writer.wrap((_name, status) => patch(status)),
      silentLog,
      { baseMs: 1, capMs: 1 },
      (name, status) => writer.takeOwnConditions(name, status),
    );
  }
  const typesOf = (status: Record<string, unknown> | undefined) =>
    ((status?.conditions as Condition[] | undefined) ?? []).map((c) => `${c.type}=${c.status}`).sort();

  it("merges another part's condition by type: one built from a stale cache cannot erase a third one", async function () {
    // The cache never sees the writes (as when the informer lags): the old code rebuilt the list from it.
    const writer = new HostConditionWriter(cache, () => new Date('2026-01-01T00:00:00Z'));
    const sent: Record<string, unknown>[] = [];
    const hostStatus = statusWriter(writer, (status) => {
      sent.push(status);
      return Promise.resolve();
    });
    await hostStatus.write('n1', { conditions: [{ ...interfacesMissing, observedGeneration: 2 }] });
    await hostStatus.write('n1', { maintenance: { phase: 'HostEmpty' }, conditions: [readyForMaintenance] });
    assert.deepEqual(typesOf(sent.at(-1)), [
      'Healthy=True',
      'InterfacesPresent=False',
      'ReadyForMaintenance=True',
      'Remediated=True',
    ]);
    assert.deepEqual(sent.at(-1)!.maintenance, { phase: 'HostEmpty' });
    const interfaces = (sent.at(-1)!.conditions as Condition[]).find((c) => c.type === 'InterfacesPresent')!;
    assert.equal(interfaces.observedGeneration, 2);
    assert.equal(interfaces.lastTransitionTime, '2026-01-01T00:00:00Z');
  });

  it('keeps both conditions of two parts whose patches are coalesced into one write', async function () {
    const writer = new HostConditionWriter(cache);
    const sent: Record<string, unknown>[] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const hostStatus = statusWriter(writer, async (status) => {
      sent.push(status);
      if (sent.length === 1) await first;
    });
    const inFlight = hostStatus.write('n1', { state: 'Suspect' });
    // Both queued while the first write is in flight: merged into the next patch.
    const a = hostStatus.write('n1', { conditions: [interfacesMissing] });
    const b = hostStatus.write('n1', { conditions: [readyForMaintenance] });
    release();
    await Promise.all([inFlight, a, b]);
    assert.equal(sent.length, 2);
    assert.deepEqual(typesOf(sent[1]), [
      'Healthy=False',
      'InterfacesPresent=False',
      'ReadyForMaintenance=True',
      'Remediated=True',
    ]);
  });

  it('sends the conditions again when the write that carried them failed', async function () {
    const writer = new HostConditionWriter(cache);
    const sent: Record<string, unknown>[] = [];
    const hostStatus = statusWriter(writer, (status) => {
      sent.push(status);
      return sent.length === 1 ? Promise.reject(new Error('API server unavailable')) : Promise.resolve();
    });
    await hostStatus.write('n1', { state: 'Down' });
    assert.equal(sent.length, 2);
    assert.deepEqual(typesOf(sent[1]), ['Healthy=False', 'Remediated=True']);
    // Accepted now: the next patch without a change goes without them.
    await hostStatus.write('n1', { servers: { found: 0 } });
    assert.deepEqual(sent[2], { servers: { found: 0 } });
  });
});
