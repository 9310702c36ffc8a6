// FaultPolicy status is written by two parts of the operator: the reconciler (Ready, MonitorsAvailable,
// NodeConflict, counts) and the inspector (StormActive and the held hosts). Each applies only its own fields server-side
// under its own field manager; conditions are a list keyed by type, so neither erases the other's.
import * as k8s from '@kubernetes/client-node';
import { ConditionType } from '../api/conditions.js';
import { crdApi, type FaultPolicy, type FaultPolicyStatus } from '../api/types.js';
import type { ReadCache } from '../runtime/read-cache.js';

const applyOptions = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

export async function applyPolicyStatus(
  custom: k8s.CustomObjectsApi,
  name: string,
  manager: string,
  status: FaultPolicyStatus,
): Promise<void> {
  await custom.patchClusterCustomObjectStatus(
    {
      ...crdApi,
      plural: 'faultpolicies',
      name,
      body: { apiVersion: 'doctor.io/v1alpha1', kind: 'FaultPolicy', metadata: { name }, status },
      fieldManager: manager,
      force: true,
    },
    applyOptions,
  );
}

/** The inspector's conditions, computed from the cached status. */
export class PolicyStatusWriter {
  constructor(
    private readonly custom: k8s.CustomObjectsApi,
    private readonly policies: ReadCache<FaultPolicy>,
    private readonly ownedConditions: string[] = [ConditionType.StormActive],
    private readonly manager = 'doctor-inspector',
  ) {}

  async update(name: string, update: (status: FaultPolicyStatus) => FaultPolicyStatus): Promise<void> {
    const policy = this.policies.get(name);
    if (!policy) return;
    const before = policy.status ?? {};
    const after = update(before);
    // The held hosts belong with StormActive: a writer of other conditions must not apply them too, or
    // its field manager would keep them after the inspector clears them. Applying without
    // stormHeldHosts removes the list this manager set before.
    const ownsHeldHosts = this.ownedConditions.includes(ConditionType.StormActive);
    const mine = (s: FaultPolicyStatus): FaultPolicyStatus => ({
      conditions: (s.conditions ?? []).filter((c) => this.ownedConditions.includes(c.type)),
      ...(ownsHeldHosts && s.stormHeldHosts?.length ? { stormHeldHosts: s.stormHeldHosts } : {}),
    });
    if (JSON.stringify(mine(before)) === JSON.stringify(mine(after))) return;
    await applyPolicyStatus(this.custom, name, this.manager, mine(after));
  }
}
