// One HostHealth per selected node, named after the node. The operator owns spec.policy and the labels;
// spec.maintenance belongs to the administrator and status to the inspector, so neither is applied here.
import type * as k8s from '@kubernetes/client-node';
import { groupVersion, type FaultPolicy } from '../../api/types.js';
import { cleanupFinalizer, ownedLabels } from './names.js';
import { policyOwnerReference } from './owner.js';

export const nodeLabel = 'doctor.io/node';

export interface HostHealthApply {
  apiVersion: typeof groupVersion;
  kind: 'HostHealth';
  metadata: {
    name: string;
    labels: Record<string, string>;
    finalizers: string[];
    ownerReferences: ReturnType<typeof policyOwnerReference>[];
  };
  spec: { policy: string };
}

export function desiredHostHealth(policy: FaultPolicy, nodeName: string): HostHealthApply {
  return {
    apiVersion: groupVersion,
    kind: 'HostHealth',
    metadata: {
      name: nodeName,
      labels: { ...ownedLabels(policy.metadata.name, 'hosthealth'), [nodeLabel]: nodeName },
      finalizers: [cleanupFinalizer],
      ownerReferences: [policyOwnerReference(policy)],
    },
    spec: { policy: policy.metadata.name },
  };
}

/** The Nova host name of a node: the value of the policy's novaHostLabel, else the node name. */
export function novaHostOf(policy: FaultPolicy, node: k8s.V1Node): string {
  const label = policy.spec.novaHostLabel;
  const name = node.metadata?.name ?? '';
  if (!label) return name;
  return node.metadata?.labels?.[label] ?? name;
}
