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

  it('recomputes its own conditions on a patch that carries a conditions list of another writer', function () {
    const writer = new HostConditionWriter(cache);
    const interfaces: Condition = {
      type: 'InterfacesPresent',
      status: 'False',
      reason: 'InterfaceMissing',
      message: 'eth9',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    };
    const out = writer.withConditions('n1', { conditions: [interfaces] }).conditions as Condition[];
    assert.deepEqual(out.map((c) => c.type).sort(), ['Healthy', 'InterfacesPresent', 'Remediated']);
  });
});
