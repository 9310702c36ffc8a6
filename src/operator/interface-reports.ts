// Interfaces a policy names (spec.monitor.interfaces) that do not exist on a node. That is a mistake in
// the configuration, not a fault: it is shown on the HostHealth (condition InterfacesPresent=False and a
// Warning Event) and never counts as a link down.
import type { HostEvent } from '../api/events.js';
import { ConditionReason, ConditionType } from '../api/conditions.js';
import type { HostHealth } from '../api/types.js';
import type { Logger } from '../observability/logger.js';
import type { EventRecorder } from '../runtime/event-recorder.js';
import type { ReadCache } from '../runtime/read-cache.js';
import type { CoalescingStatusWriter } from '../runtime/coalescing-status-writer.js';

/** Interfaces remembered per host; a policy lists a handful. */
const maxInterfacesPerHost = 64;

export interface InterfaceReportDeps {
  hostHealths: ReadCache<HostHealth>;
  hostStatus: CoalescingStatusWriter;
  events: Pick<EventRecorder, 'record'>;
  log: Logger;
}

export class MissingInterfaces {
  /** Missing interfaces of each monitored host (only hosts with a HostHealth are remembered). */
  private readonly missing = new Map<string, Set<string>>();

  constructor(private readonly deps: InterfaceReportDeps) {}

  /** Takes the nic.missing / nic.present reports out of a batch; a change is shown on the HostHealth. */
  observe(events: readonly HostEvent[]): void {
    for (const event of events) {
      const missing = event.type === 'compute.host.nic.missing';
      if (!missing && event.type !== 'compute.host.nic.present') continue;
      const host = event.details.hostname;
      const iface = event.details.interface ?? '';
      const hostHealth = this.deps.hostHealths.get(host);
      if (!hostHealth) continue;
      const set = this.missing.get(host) ?? new Set<string>();
      if (missing === set.has(iface) || (missing && set.size >= maxInterfacesPerHost)) continue;
      if (missing) set.add(iface);
      else set.delete(iface);
      if (set.size > 0) this.missing.set(host, set);
      else this.missing.delete(host);
      this.show(hostHealth, iface, missing, [...set].sort());
    }
  }

  private show(hostHealth: HostHealth, iface: string, missing: boolean, nowMissing: string[]): void {
    const host = hostHealth.metadata.name;
    const target = {
      apiVersion: hostHealth.apiVersion,
      kind: 'HostHealth',
      name: host,
      uid: hostHealth.metadata.uid,
    };
    const message = missing
      ? `interface ${iface} from spec.monitor.interfaces does not exist on node ${host}: a configuration error, not a link down (no fault)`
      : `interface ${iface} exists on node ${host} again; its link state is watched`;
    this.deps.log.warn(missing ? 'configured interface missing' : 'configured interface present', {
      host,
      interface: iface,
    });
    void this.deps.events.record(
      target,
      missing ? 'Warning' : 'Normal',
      missing ? 'InterfaceMissing' : 'InterfacePresent',
      message,
    );
    const condition =
      nowMissing.length > 0
        ? {
            type: ConditionType.InterfacesPresent,
            status: 'False' as const,
            reason: ConditionReason.InterfaceMissing,
            message: `not on this node (check spec.monitor.interfaces): ${nowMissing.join(', ')}`,
          }
        : {
            type: ConditionType.InterfacesPresent,
            status: 'True' as const,
            reason: ConditionReason.AllPresent,
            message: 'every interface in spec.monitor.interfaces exists on this node',
          };
    // Only this condition: the status writer merges it by type into the host's list.
    const conditions = [{ ...condition, observedGeneration: hostHealth.metadata.generation }];
    this.deps.hostStatus.write(host, { conditions }).catch(() => undefined);
  }
}
