// Read-modify-write of a FaultPolicy's status from the informer cache, written with a merge patch on the
// status subresource. Used by the inspector (StormActive) beside the reconciler's own status writes.
import * as k8s from '@kubernetes/client-node';
import type { FaultPolicy, FaultPolicyStatus } from '../api/types.js';
import type { ReadCache } from './policy-reconciler.js';

export class PolicyStatusWriter {
  constructor(
    private readonly custom: k8s.CustomObjectsApi,
    private readonly policies: ReadCache<FaultPolicy>,
  ) {}

  async update(name: string, update: (status: FaultPolicyStatus) => FaultPolicyStatus): Promise<void> {
    const policy = this.policies.get(name);
    if (!policy) return;
    const before = policy.status ?? {};
    const after = update(before);
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    await this.custom.patchClusterCustomObjectStatus(
      { group: 'doctor.io', version: 'v1alpha1', plural: 'faultpolicies', name, body: { status: after } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
  }
}
