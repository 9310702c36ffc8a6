import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { NodeChanges } from '../../../src/operator/node-changes.js';

function node(overrides: {
  labels?: Record<string, string>;
  address?: string;
  unschedulable?: boolean;
  heartbeat?: string;
  resourceVersion?: string;
}): k8s.V1Node {
  return {
    metadata: {
      name: 'n1',
      resourceVersion: overrides.resourceVersion ?? '1',
      labels: overrides.labels ?? { zone: 'a' },
    },
    spec: overrides.unschedulable !== undefined ? { unschedulable: overrides.unschedulable } : {},
    status: {
      addresses: [
        { type: 'InternalIP', address: overrides.address ?? '198.18.0.1' },
        { type: 'Hostname', address: 'n1' },
      ],
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date(overrides.heartbeat ?? 0) }],
    },
  };
}

describe('Node watch events: what matters', () => {
  it('the first sight and a deletion need the policies and maintenance to look', () => {
    const changes = new NodeChanges();
    assert.deepEqual(changes.classify(node({}), 'add'), { policies: true, cordon: true });
    assert.deepEqual(changes.classify(node({}), 'delete'), { policies: true, cordon: false });
    // Deleting a Node never seen (or seen cordoned) still lets maintenance look.
    assert.deepEqual(changes.classify(node({}), 'delete'), { policies: true, cordon: true });
  });

  it('a status heartbeat (new resourceVersion, new condition times) changes nothing', () => {
    const changes = new NodeChanges();
    changes.classify(node({}), 'add');
    const beat = node({ resourceVersion: '2', heartbeat: '2026-01-01T00:00:10Z' });
    assert.deepEqual(changes.classify(beat, 'update'), { policies: false, cordon: false });
    // Equal content in new objects (every event is parsed afresh) is still no change.
    assert.deepEqual(changes.classify(node({ labels: { zone: 'a' } }), 'update'), {
      policies: false,
      cordon: false,
    });
  });

  it('a label or address change needs the policies to look', () => {
    const changes = new NodeChanges();
    changes.classify(node({}), 'add');
    assert.deepEqual(changes.classify(node({ labels: { zone: 'b' } }), 'update').policies, true);
    assert.deepEqual(changes.classify(node({ labels: { zone: 'b', x: 'y' } }), 'update').policies, true);
    assert.deepEqual(changes.classify(node({ labels: { x: 'y', zone: 'b' } }), 'update').policies, false);
    assert.deepEqual(changes.classify(node({ labels: { x: 'y', zonf: 'b' } }), 'update').policies, true);
    assert.deepEqual(
      changes.classify(node({ labels: { x: 'y', zonf: 'b' }, address: '198.18.0.9' }), 'update'),
      {
        policies: true,
        cordon: false,
      },
    );
    const noStatus: k8s.V1Node = { metadata: { name: 'n1', labels: { x: 'y', zonf: 'b' } } };
    assert.deepEqual(changes.classify(noStatus, 'update').policies, true);
    assert.deepEqual(changes.classify({ metadata: { name: 'n1' } }, 'update').policies, true);
  });

  it('a cordon and an uncordon need maintenance to look, not the policies', () => {
    const changes = new NodeChanges();
    changes.classify(node({}), 'add');
    assert.deepEqual(changes.classify(node({ unschedulable: true }), 'update'), {
      policies: false,
      cordon: true,
    });
    assert.deepEqual(changes.classify(node({ unschedulable: true }), 'update'), {
      policies: false,
      cordon: false,
    });
    assert.deepEqual(changes.classify(node({ unschedulable: false }), 'update'), {
      policies: false,
      cordon: true,
    });
  });
});
