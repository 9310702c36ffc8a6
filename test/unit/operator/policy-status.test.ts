// Two writers share FaultPolicy status under their own field managers; each applies only what it owns,
// so one cannot keep alive a field the other clears.
import assert from 'node:assert/strict';
import type * as k8s from '@kubernetes/client-node';
import { ConditionType } from '../../../src/api/conditions.js';
import type { FaultPolicy, FaultPolicyStatus } from '../../../src/api/types.js';
import { PolicyStatusWriter } from '../../../src/operator/policy-status.js';

interface Applied {
  fieldManager: string;
  status: FaultPolicyStatus;
}

function writerOf(status: FaultPolicyStatus, owned?: string[], manager?: string) {
  const applied: Applied[] = [];
  const custom = {
    patchClusterCustomObjectStatus: (request: {
      fieldManager: string;
      body: { status: FaultPolicyStatus };
    }) => {
      applied.push({ fieldManager: request.fieldManager, status: request.body.status });
      return Promise.resolve({});
    },
  } as unknown as k8s.CustomObjectsApi;
  const policy = { metadata: { name: 'p' }, status } as unknown as FaultPolicy;
  const cache = { list: () => [policy], get: (name: string) => (name === 'p' ? policy : undefined) };
  return { writer: new PolicyStatusWriter(custom, cache, owned, manager), applied };
}

const condition = (type: string, status: 'True' | 'False') => ({
  type,
  status,
  reason: 'Test',
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

describe('PolicyStatusWriter', () => {
  const stormStatus: FaultPolicyStatus = {
    conditions: [condition(ConditionType.StormActive, 'True'), condition(ConditionType.Ready, 'True')],
    stormHeldHosts: ['a', 'b'],
  };

  it('applies the held hosts with StormActive, and only its own conditions', async () => {
    const { writer, applied } = writerOf({ conditions: [condition(ConditionType.Ready, 'True')] });
    await writer.update('p', () => stormStatus);
    assert.equal(applied.length, 1);
    assert.equal(applied[0]!.fieldManager, 'doctor-inspector');
    assert.deepEqual(applied[0]!.status.stormHeldHosts, ['a', 'b']);
    assert.deepEqual(
      applied[0]!.status.conditions?.map((c) => c.type),
      [ConditionType.StormActive],
    );
  });

  it('a writer of other conditions never applies the held hosts', async () => {
    const { writer, applied } = writerOf(stormStatus, [ConditionType.NovaReachable], 'doctor-remediation');
    await writer.update('p', (s) => ({
      ...s,
      conditions: [...(s.conditions ?? []), condition(ConditionType.NovaReachable, 'False')],
    }));
    assert.equal(applied.length, 1);
    assert.equal(applied[0]!.status.stormHeldHosts, undefined);
    assert.deepEqual(
      applied[0]!.status.conditions?.map((c) => c.type),
      [ConditionType.NovaReachable],
    );
  });

  it('writes nothing when its own fields did not change', async () => {
    const { writer, applied } = writerOf(stormStatus);
    await writer.update('p', (s) => ({ ...s, monitoredHosts: 3 }));
    assert.equal(applied.length, 0);
  });
});
