// A host in maintenance gets no fault actions, but a host that really fails meanwhile must still be seen:
// when every observer reports it unreachable, that is said (as a Warning Event) instead of hidden behind
// the Maintenance state.
import type { ObserverStatus } from '../api/types.js';

/** A sentence for people when every observer of the host reports it unreachable; undefined otherwise. */
export function failureDuringMaintenance(
  host: string,
  observers: readonly ObserverStatus[] | undefined,
): string | undefined {
  const list = observers ?? [];
  if (list.length === 0 || list.some((o) => o.reachable)) return undefined;
  return `${host} is in maintenance and every observer (${list
    .map((o) => o.node)
    .slice(0, 5)
    .join(', ')}) reports it unreachable: no fault action runs while maintenance lasts`;
}
