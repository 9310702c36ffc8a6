// The FaultPolicy spec fields with their schema defaults, for policies built as plain objects without
// the API server filling them in: the rehearsal's typical policy, and tests.
import { monitorProbeDefaults } from './schema/faultpolicy.js';
import type { FaultPolicySpec } from './types.js';

export function defaultedSpecFields(): Pick<
  FaultPolicySpec,
  'novaHostLabel' | 'monitor' | 'detection' | 'protection' | 'paused'
> {
  return {
    novaHostLabel: '',
    monitor: {
      ...monitorProbeDefaults,
      successThreshold: 2,
      peers: 3,
      addressType: 'InternalIP',
      interfaces: [],
    },
    detection: { quorum: 2, windowMilliseconds: 1000, healthySeconds: 30 },
    protection: { maxUnhealthy: '20%' },
    paused: false,
  };
}
