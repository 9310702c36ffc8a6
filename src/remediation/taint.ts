// The taint a down host's Node gets. NoSchedule, not NoExecute: it keeps new pods off a host Nova no
// longer runs servers on, but evicts nothing. Evicting would kill nova-compute, libvirt and the monitor
// on a host that may only be cut off from the network (its VMs possibly still running), and Kubernetes'
// node lifecycle controller already applies its own NoExecute taint when the kubelet stops reporting.
import type { NodeTaint } from './ports.js';

export const hostDownTaintKey = 'doctor.io/host-down';

/**
 * The value is the fault id, so `kubectl describe node` links the taint to the HostHealth fault. Fault
 * ids are hex already; anything else is made a valid label value (63 characters of [A-Za-z0-9._-]).
 */
export function hostDownTaint(faultId: string): NodeTaint {
  const value = faultId
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return { key: hostDownTaintKey, value, effect: 'NoSchedule' };
}
