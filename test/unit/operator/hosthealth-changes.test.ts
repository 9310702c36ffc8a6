import assert from 'node:assert/strict';
import type { HostHealth, HostState } from '../../../src/api/types.js';
import { HostHealthChanges } from '../../../src/operator/hosthealth-changes.js';

function hostHealth(overrides: {
  state?: HostState;
  maintenance?: boolean;
  label?: string;
  observers?: number;
}): HostHealth {
  return {
    apiVersion: 'doctor.io/v1alpha1',
    kind: 'HostHealth',
    metadata: { name: 'node-1', uid: 'u1', labels: { 'doctor.io/policy': overrides.label ?? 'p' } },
    spec: { policy: 'p', maintenance: { enabled: overrides.maintenance ?? false } },
    status: {
      state: overrides.state ?? 'Healthy',
      observers: Array.from({ length: overrides.observers ?? 0 }, (_, i) => ({
        node: `node-${i + 2}`,
        reachable: true,
        lastReportTime: '2026-01-01T00:00:00.000Z',
      })),
    },
  };
}

describe('HostHealth watch events: what matters', () => {
  it('the first sight, a spec, label change and a deletion need a reconcile and an engine resync', () => {
    const changes = new HostHealthChanges();
    assert.equal(changes.classify(hostHealth({}), 'add'), 'spec');
    assert.equal(changes.classify(hostHealth({ maintenance: true }), 'update'), 'spec');
    assert.equal(changes.classify(hostHealth({ maintenance: true, label: 'q' }), 'update'), 'spec');
    assert.equal(changes.classify(hostHealth({ maintenance: true, label: 'q' }), 'delete'), 'spec');
    assert.equal(changes.classify(hostHealth({}), 'update'), 'spec', 'after a deletion it is new again');
  });

  it('status the inspector writes (observers, a state within the same health) is noise', () => {
    const changes = new HostHealthChanges();
    changes.classify(hostHealth({}), 'add');
    assert.equal(changes.classify(hostHealth({ observers: 3 }), 'update'), 'none');
    assert.equal(changes.classify(hostHealth({ state: 'Unknown', observers: 3 }), 'update'), 'none');
    assert.equal(changes.classify(hostHealth({ state: 'Suspect' }), 'update'), 'count');
    assert.equal(changes.classify(hostHealth({ state: 'Down' }), 'update'), 'none', 'still unhealthy');
    assert.equal(changes.classify(hostHealth({ state: 'Recovering' }), 'update'), 'none');
    assert.equal(changes.classify(hostHealth({ state: 'Healthy' }), 'update'), 'count');
  });
});
