// Owner references to a FaultPolicy: garbage collection removes what a deleted policy owned.
import type { FaultPolicy, OwnerReference } from '../../api/types.js';

export function policyOwnerReference(policy: FaultPolicy): OwnerReference {
  if (!policy.metadata.uid)
    throw new Error(`FaultPolicy ${policy.metadata.name} has no uid (not read from the API?)`);
  return {
    apiVersion: policy.apiVersion,
    kind: 'FaultPolicy',
    name: policy.metadata.name,
    uid: policy.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
