// The ConfigMap holding a policy's monitor configuration (see monitor-config.ts).
import type * as k8s from '@kubernetes/client-node';
import type { FaultPolicy } from '../../api/types.js';
import { monitorConfigFileName, type MonitorConfig } from './monitor-config.js';
import { monitorConfigMapName, ownedLabels } from './names.js';
import { policyOwnerReference } from './owner.js';

export function desiredMonitorConfigMap(
  policy: FaultPolicy,
  namespace: string,
  config: MonitorConfig,
  namePrefix?: string,
): k8s.V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: monitorConfigMapName(policy.metadata.name, namePrefix),
      namespace,
      labels: ownedLabels(policy.metadata.name, 'monitor'),
      ownerReferences: [policyOwnerReference(policy)],
    },
    data: { [monitorConfigFileName]: JSON.stringify(config, null, 2) + '\n' },
  };
}
