// Plain-object FaultPolicies and Nodes for unit tests of the operator's pure parts.
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy } from '../../../src/api/types.js';
import { defaultedSpecFields } from '../../support/fixtures/policy-spec.js';

export function policy(
  name: string,
  matchLabels: Record<string, string>,
  created = '2026-01-01T00:00:00Z',
): FaultPolicy {
  return {
    apiVersion: 'doctor.io/v1alpha1',
    kind: 'FaultPolicy',
    metadata: { name, uid: `uid-${name}`, generation: 1, creationTimestamp: created },
    spec: {
      nodeSelector: { matchLabels },
      ...defaultedSpecFields(),
      actions: { node: { taint: true }, notify: [] },
    },
  };
}

export function node(name: string, labels: Record<string, string>, internalIP?: string): k8s.V1Node {
  return {
    metadata: { name, labels },
    status: internalIP ? { addresses: [{ type: 'InternalIP', address: internalIP }] } : {},
  };
}
