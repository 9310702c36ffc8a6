// Which observer a report counts for. An authenticated reporter is exactly one observer, whatever the body
// says: every event is stamped with that observer, so neither `details.observer` nor `details.monitor` can
// make one token count as two observers or as another node. A body that claims another observer is
// refused whole, and so is an event only the host itself can make (link state, isolation, heartbeat)
// about some other host. Verdicts about peers (compute.host.down/up) are the reporter's own by nature.
import { hostEventTypes, type HostEvent } from '../api/events.js';

/** Events that only the host they are about can make: every type but a verdict about a peer. */
const peerVerdicts: ReadonlySet<string> = new Set(['compute.host.down', 'compute.host.up']);
const aboutItselfOnly: ReadonlySet<string> = new Set(hostEventTypes.filter((t) => !peerVerdicts.has(t)));

export type AttributionResult = { ok: true; events: HostEvent[] } | { ok: false; error: string };

/**
 * Stamps every event with the authenticated observer, or names the first event that speaks for someone
 * else. Without an authenticated observer (no authentication) events are returned as they are: each then
 * counts for the observer it names, or its monitor.
 */
export function attributeEvents(events: HostEvent[], observer: string | undefined): AttributionResult {
  if (observer === undefined) return { ok: true, events };
  const attributed: HostEvent[] = [];
  for (const [index, event] of events.entries()) {
    const { details } = event;
    if (details.observer !== undefined && details.observer !== observer) {
      return {
        ok: false,
        error: `events[${index}].details.observer: "${details.observer}" is not this reporter's observer "${observer}"`,
      };
    }
    if (aboutItselfOnly.has(event.type) && details.hostname !== observer) {
      return {
        ok: false,
        error:
          `events[${index}].details.hostname: a ${event.type} can only be about the reporter itself ` +
          `("${observer}"), not "${details.hostname}"`,
      };
    }
    attributed.push({ ...event, details: { ...details, observer } });
  }
  return { ok: true, events: attributed };
}
