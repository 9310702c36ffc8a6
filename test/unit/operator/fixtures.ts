// Plain-object FaultPolicies and Nodes for unit tests of the operator's pure parts.
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy } from '../../../src/api/types.js';

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
      novaHostLabel: '',
      monitor: {
        intervalMilliseconds: 100,
        timeoutMilliseconds: 100,
        failureThreshold: 2,
        successThreshold: 2,
        peers: 3,
        addressType: 'InternalIP',
        interfaces: [],
      },
      detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 30 },
      protection: { maxUnhealthy: '20%' },
      actions: { node: { taint: true }, notify: [] },
      paused: false,
    },
  };
}

export function node(name: string, labels: Record<string, string>, internalIP?: string): k8s.V1Node {
  return {
    metadata: { name, labels },
    status: internalIP ? { addresses: [{ type: 'InternalIP', address: internalIP }] } : {},
  };
}
