// Which recorded calls remediated a host: its nova-compute service forced down and each of its servers
// reset to error. Shared by the in-process and the child-process simulator's users.
import type { SimCall } from './traffic.js';

export interface HostRemediationCalls {
  forceDown: SimCall[];
  resets: SimCall[];
}

/** A force-down of the service: by id (2.53+) or by host and binary (older microversions). */
export function isForceDown(call: SimCall, serviceUuid: string): boolean {
  return (
    call.method === 'PUT' &&
    (call.path.endsWith(`/os-services/${serviceUuid}`) || call.path.endsWith('/os-services/force-down'))
  );
}

/** The successful force-down and resets of the host, once there is a force-down and a reset of every
 * server; undefined before. */
export function hostRemediationCalls(
  calls: readonly SimCall[],
  serviceUuid: string,
  serverIds: readonly string[],
): HostRemediationCalls | undefined {
  const ok = calls.filter((c) => c.status >= 200 && c.status < 300);
  const forceDown = ok.filter((c) => isForceDown(c, serviceUuid));
  const resets = ok.filter(
    (c) => c.method === 'POST' && c.path.endsWith('/action') && serverIds.some((id) => c.path.includes(id)),
  );
  if (forceDown.length === 0 || new Set(resets.map((c) => c.path)).size < serverIds.length) return undefined;
  return { forceDown, resets };
}
