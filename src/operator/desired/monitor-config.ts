// The configuration file each monitor reads (mounted from a ConfigMap): the policy's probe settings and
// the hosts to watch with the address to probe. The operator resolves addresses so a thousand monitors
// do not each watch every Node.
import type * as k8s from '@kubernetes/client-node';
import type { MonitorConfigFile, MonitorHost } from '../../api/monitor-config.js';
import type { FaultPolicy } from '../../api/types.js';

export type MonitoredHost = MonitorHost;
export type MonitorConfig = MonitorConfigFile;

export const monitorConfigFileName = 'monitor.json';
export const heartbeatSeconds = 5;

export function nodeAddress(node: k8s.V1Node, addressType: 'InternalIP' | 'ExternalIP'): string | undefined {
  return node.status?.addresses?.find((a) => a.type === addressType)?.address;
}

export interface HostsResolution {
  hosts: MonitoredHost[];
  /** Selected nodes that have no address of the policy's addressType yet (cannot be probed). */
  withoutAddress: string[];
}

export function resolveMonitoredHosts(policy: FaultPolicy, nodes: readonly k8s.V1Node[]): HostsResolution {
  const hosts: MonitoredHost[] = [];
  const withoutAddress: string[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (!name) continue;
    const address = nodeAddress(node, policy.spec.monitor.addressType);
    if (address) hosts.push({ name, address });
    else withoutAddress.push(name);
  }
  hosts.sort((a, b) => a.name.localeCompare(b.name));
  withoutAddress.sort();
  return { hosts, withoutAddress };
}

export function monitorConfig(
  policy: FaultPolicy,
  hosts: MonitoredHost[],
  inspectorUrl: string,
): MonitorConfig {
  const m = policy.spec.monitor;
  return {
    policy: policy.metadata.name,
    inspectorUrl,
    intervalMilliseconds: m.intervalMilliseconds,
    timeoutMilliseconds: m.timeoutMilliseconds,
    failureThreshold: m.failureThreshold,
    successThreshold: m.successThreshold,
    peers: m.peers,
    interfaces: m.interfaces ?? [],
    heartbeatSeconds,
    hosts,
  };
}
