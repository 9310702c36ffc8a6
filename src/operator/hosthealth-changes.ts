// Which HostHealth watch events matter to the operator. The inspector writes HostHealth status all the
// time (observers' last reports, timelines), and every write comes back as a watch event; only the
// object's identity, labels, owners and spec matter to the policy reconciler and the inspector's
// engines, and of the status only whether the host counts as unhealthy (the policy's unhealthyHosts).
import type { HostHealth } from '../api/types.js';
import { unhealthyStates } from './policy-reconciler.js';

/** Whether a maintenance workflow (started by the spec or by a cordon) is under way on the host. */
export function maintenanceActive(hostHealth: HostHealth): boolean {
  const record = hostHealth.status?.maintenance;
  return record !== undefined && record.phase !== 'Complete';
}

/** `spec`: reconcile and resync now; `count`: the policy's unhealthy count moved; `none`: status noise. */
export type HostHealthChange = 'spec' | 'count' | 'none';

interface Seen {
  fingerprint: string;
  unhealthy: boolean;
}

export class HostHealthChanges {
  private readonly seen = new Map<string, Seen>();

  classify(hostHealth: HostHealth, change: 'add' | 'update' | 'delete'): HostHealthChange {
    const name = hostHealth.metadata.name;
    if (change === 'delete') {
      this.seen.delete(name);
      return 'spec';
    }
    const m = hostHealth.metadata;
    const next: Seen = {
      fingerprint: JSON.stringify([
        m.uid,
        m.labels ?? {},
        m.ownerReferences ?? [],
        m.deletionTimestamp ?? null,
        hostHealth.spec ?? {},
        // Maintenance started by a cordon counts like spec.maintenance for the inspector.
        maintenanceActive(hostHealth),
      ]),
      unhealthy: unhealthyStates.has(hostHealth.status?.state ?? ''),
    };
    const before = this.seen.get(name);
    this.seen.set(name, next);
    if (!before || before.fingerprint !== next.fingerprint) return 'spec';
    return before.unhealthy !== next.unhealthy ? 'count' : 'none';
  }
}
